-- The learner reads the event log as a stream in insertion order.
ALTER TABLE events ADD COLUMN seq bigserial;
CREATE INDEX events_seq ON events (seq);

-- The recommender's model state (MF factors, ranker weights, counters, user tastes), saved
-- periodically with the last event it includes, so a restart resumes from it and replays the rest.
CREATE TABLE recsys_state (
  key        text PRIMARY KEY,
  last_seq   bigint NOT NULL,
  data       bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
