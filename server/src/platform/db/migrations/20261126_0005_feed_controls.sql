-- A user's explicit feed controls ("not interested" in a creator or hashtag, "refresh my For You"),
-- as a log every API process's recommender follows, like the event log.
CREATE TABLE feed_controls (
  seq        bigserial PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('hide_creator', 'hide_hashtag', 'reset', 'interests')),
  value      text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);
