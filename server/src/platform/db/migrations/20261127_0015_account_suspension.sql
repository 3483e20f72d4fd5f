-- Account suspension (issue 6: a banned creator receives no gifts and cannot cash out). The minimal account state a
-- moderation module will build on: when and why an account was suspended, and an audit row for every suspend and
-- unsuspend (who, why, when). Nothing is deleted by a suspension; lifting it restores everything.
ALTER TABLE users ADD COLUMN suspended_at timestamptz;
ALTER TABLE users ADD COLUMN suspension_reason text;

CREATE TABLE account_actions (
  id         bigserial PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  actor_id   uuid REFERENCES users(id) ON DELETE SET NULL,
  action     text NOT NULL CHECK (action IN ('suspend', 'unsuspend')),
  reason     text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_actions_user ON account_actions (user_id, created_at DESC);
