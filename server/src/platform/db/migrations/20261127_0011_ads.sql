-- Advertising (issue 7): advertisers and their members, campaigns → ad groups → ads.
-- Money is integer micro-dollars (µ$) in the ad server and these rows; the ledger settles in cents.
CREATE TABLE advertisers (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  website     text,
  created_by  uuid NOT NULL REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE advertiser_members (
  advertiser_id uuid NOT NULL REFERENCES advertisers(id) ON DELETE CASCADE,
  user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role          text NOT NULL CHECK (role IN ('owner', 'admin', 'analyst')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (advertiser_id, user_id)
);
CREATE INDEX advertiser_members_user ON advertiser_members (user_id);

CREATE TABLE ad_campaigns (
  id            uuid PRIMARY KEY,
  advertiser_id uuid NOT NULL REFERENCES advertisers(id) ON DELETE CASCADE,
  name          text NOT NULL,
  objective     text NOT NULL CHECK (objective IN ('reach', 'video_views', 'traffic', 'community_interaction', 'conversions')),
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ad_campaigns_advertiser ON ad_campaigns (advertiser_id, created_at DESC);

CREATE TABLE ad_groups (
  id             uuid PRIMARY KEY,
  campaign_id    uuid NOT NULL REFERENCES ad_campaigns(id) ON DELETE CASCADE,
  name           text NOT NULL,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
  start_at       timestamptz NOT NULL,
  end_at         timestamptz,
  budget_period  text NOT NULL CHECK (budget_period IN ('daily', 'lifetime')),
  budget_micros  bigint NOT NULL CHECK (budget_micros > 0),
  pacing         text NOT NULL CHECK (pacing IN ('smooth', 'fast')),
  bid_strategy   text NOT NULL CHECK (bid_strategy IN ('max_delivery', 'cost_cap', 'bid_cap')),
  billing        text NOT NULL CHECK (billing IN ('CPM', 'CPC', 'CPV', 'OCPM')),
  bid_micros     bigint NOT NULL CHECK (bid_micros > 0),
  targeting      jsonb NOT NULL DEFAULT '{}',
  frequency_cap  jsonb,
  restricted     boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (end_at IS NULL OR end_at > start_at),
  CHECK (budget_period = 'daily' OR end_at IS NOT NULL)
);
CREATE INDEX ad_groups_campaign ON ad_groups (campaign_id, created_at DESC);

CREATE TABLE ads (
  id            uuid PRIMARY KEY,
  ad_group_id   uuid NOT NULL REFERENCES ad_groups(id) ON DELETE CASCADE,
  name          text NOT NULL,
  video_id      uuid NOT NULL REFERENCES videos(id),
  -- A Spark ad boosts an organic video of a creator who authorised it; otherwise the advertiser's own upload.
  spark         boolean NOT NULL DEFAULT false,
  cta_text      text NOT NULL,
  landing_url   text NOT NULL CHECK (landing_url ~ '^https?://'),
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
  review_status text NOT NULL DEFAULT 'pending' CHECK (review_status IN ('pending', 'approved', 'rejected')),
  review_reason text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ads_group ON ads (ad_group_id);
CREATE INDEX ads_review ON ads (review_status, created_at) WHERE review_status = 'pending';
