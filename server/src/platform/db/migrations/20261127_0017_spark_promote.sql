-- Advertising for creators (issue 7): Spark ad authorisation codes and Promote.

-- A creator's authorisation for advertisers to boost one of their public videos. Only the code's SHA-256 is kept
-- (it is shown once); `hint` is its last characters so the creator can tell codes apart.
CREATE TABLE spark_codes (
  id         uuid PRIMARY KEY,
  video_id   uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  creator_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash  text NOT NULL UNIQUE,
  hint       text NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX spark_codes_creator ON spark_codes (creator_id, created_at DESC);
-- The code a Spark ad was made with: revoking it pauses the ad; an expired one stops its delivery.
ALTER TABLE ads ADD COLUMN spark_code_id uuid REFERENCES spark_codes(id);
CREATE INDEX ads_spark_code ON ads (spark_code_id) WHERE spark_code_id IS NOT NULL;

-- One creator ad account per person (kind 'creator', created on first Promote).
CREATE UNIQUE INDEX advertisers_one_creator_account ON advertisers (created_by) WHERE kind = 'creator';

-- Promote: a creator boosts their own video through the ad engine (campaign → lifetime ad group → ad, all theirs).
CREATE TABLE promotions (
  id            uuid PRIMARY KEY,                                  -- client-chosen idempotency key
  user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  video_id      uuid NOT NULL REFERENCES videos(id),
  advertiser_id uuid NOT NULL REFERENCES advertisers(id),
  campaign_id   uuid NOT NULL REFERENCES ad_campaigns(id),
  ad_group_id   uuid NOT NULL REFERENCES ad_groups(id),
  ad_id         uuid NOT NULL REFERENCES ads(id),
  goal          text NOT NULL CHECK (goal IN ('views', 'follows', 'profile_visits')),
  days          integer NOT NULL CHECK (days BETWEEN 1 AND 7),
  payment       text NOT NULL CHECK (payment IN ('coins', 'card')),
  coins         bigint CHECK (coins IS NULL OR coins > 0),
  amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
  topup_id      uuid REFERENCES ad_topups(id),
  -- completed is derived (active and past ends_at)
  status        text NOT NULL CHECK (status IN ('awaiting_payment', 'active', 'stopped', 'payment_failed')),
  starts_at     timestamptz,
  ends_at       timestamptz,
  stopped_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((payment = 'coins') = (coins IS NOT NULL)),
  CHECK ((payment = 'card') = (topup_id IS NOT NULL))
);
CREATE INDEX promotions_user ON promotions (user_id, created_at DESC);
CREATE INDEX promotions_awaiting ON promotions (created_at) WHERE status = 'awaiting_payment';
