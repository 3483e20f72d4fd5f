-- Advertising, part 2 (issue 7): prepaid balances, spend leases, impressions and their outcomes, conversions.
-- Money: the ledger holds the advertiser's USD balance (cents; account kind 'advertiser_balance', owner = advertiser id).
-- The ad server spends from a lease (a pending ledger transfer advertiser_balance → ads_revenue); charges are
-- recorded on the impression rows below (µ$), and the lease is posted for what they add up to.

-- Card top-ups through the payments port (the same provider and webhooks as coin purchases).
CREATE TABLE ad_topups (
  id             uuid PRIMARY KEY,            -- client-chosen; also the ledger transfer id of the credit
  advertiser_id  uuid NOT NULL REFERENCES advertisers(id) ON DELETE RESTRICT,
  user_id        uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  amount_cents   bigint NOT NULL CHECK (amount_cents > 0),
  provider       text NOT NULL,
  provider_ref   text,
  status         text NOT NULL CHECK (status IN ('pending', 'requires_action', 'succeeded', 'failed', 'refunded', 'charged_back')),
  action_url     text,
  failure_reason text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  credited_at    timestamptz
);
CREATE UNIQUE INDEX ad_topups_provider_ref ON ad_topups (provider, provider_ref) WHERE provider_ref IS NOT NULL;
CREATE INDEX ad_topups_advertiser ON ad_topups (advertiser_id, created_at DESC);

-- A lease: money the ad server may spend, reserved in the ledger as a pending transfer (same id).
CREATE TABLE ad_leases (
  id            uuid PRIMARY KEY,
  advertiser_id uuid NOT NULL REFERENCES advertisers(id) ON DELETE RESTRICT,
  amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
  state         text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'posted', 'voided')),
  posted_cents  bigint,
  opened_at     timestamptz NOT NULL DEFAULT now(),
  closed_at     timestamptz
);
CREATE INDEX ad_leases_open ON ad_leases (advertiser_id) WHERE state = 'open';
-- Spend below a cent carried from one lease to the next (µ$, 0 ≤ carry < 10,000).
ALTER TABLE advertisers ADD COLUMN spend_carry_micros bigint NOT NULL DEFAULT 0;
-- The server-side conversions API authenticates with a per-advertiser key (only its SHA-256 is kept).
ALTER TABLE advertisers ADD COLUMN conversions_key_hash text;
ALTER TABLE advertisers ADD COLUMN kind text NOT NULL DEFAULT 'business' CHECK (kind IN ('business', 'creator'));

-- One row per ad the ad server placed in a feed (a served impression). The id is the tracking token.
-- Every figure in the reports is computed from these rows and ad_conversions, so stats and billing agree.
CREATE TABLE ad_impressions (
  id             uuid PRIMARY KEY,
  ad_id          uuid NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
  ad_group_id    uuid NOT NULL,
  campaign_id    uuid NOT NULL,
  advertiser_id  uuid NOT NULL,
  viewer_key     text NOT NULL,                 -- user id, or the anonymous feed session
  ip_hash        text,
  billing        text NOT NULL CHECK (billing IN ('CPM', 'CPC', 'CPV', 'OCPM')),
  price_micros   bigint NOT NULL,               -- clearing price per billing event
  charged_micros bigint NOT NULL DEFAULT 0,     -- what this impression cost (0 until its billing event, for CPC/CPV)
  lease_id       uuid,                          -- the lease the charge was taken from
  hold_id        text,
  served_at      timestamptz NOT NULL,
  viewable_at    timestamptz,
  view2s_at      timestamptz,
  view6s_at      timestamptz,
  q25_at         timestamptz,
  q50_at         timestamptz,
  q75_at         timestamptz,
  q100_at        timestamptz,
  clicked_at     timestamptz,
  watch_ms       integer NOT NULL DEFAULT 0,
  -- Invalid traffic: the rule that excluded this impression's events from billing (null = valid).
  invalid        text
);
CREATE INDEX ad_impressions_ad_time ON ad_impressions (ad_id, served_at);
CREATE INDEX ad_impressions_group_time ON ad_impressions (ad_group_id, served_at);
CREATE INDEX ad_impressions_campaign_time ON ad_impressions (campaign_id, served_at);
CREATE INDEX ad_impressions_viewer ON ad_impressions (advertiser_id, viewer_key, served_at DESC);
CREATE INDEX ad_impressions_lease ON ad_impressions (lease_id) WHERE lease_id IS NOT NULL;

-- Conversions from the pixel or the server-side conversions API; (advertiser, event id) is the dedup key.
CREATE TABLE ad_conversions (
  advertiser_id uuid NOT NULL REFERENCES advertisers(id) ON DELETE CASCADE,
  event_id      text NOT NULL,
  source        text NOT NULL CHECK (source IN ('pixel', 'api')),
  event         text NOT NULL,
  value_cents   bigint NOT NULL DEFAULT 0,
  viewer_key    text,
  impression_id uuid REFERENCES ad_impressions(id) ON DELETE SET NULL,
  ad_id         uuid,
  ad_group_id   uuid,
  campaign_id   uuid,
  -- Which window credited it: click_1d / click_7d / click_28d / view_1d; null = not attributed.
  attribution   text,
  occurred_at   timestamptz NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (advertiser_id, event_id)
);
CREATE INDEX ad_conversions_ad_time ON ad_conversions (ad_id, occurred_at) WHERE ad_id IS NOT NULL;
