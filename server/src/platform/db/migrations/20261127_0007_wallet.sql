-- Wallet (issue 6): coin purchases, gifts, payouts, limits and fraud flags. Balances live only in the ledger;
-- these rows say why money moved and are written in the same transaction as the ledger transfers.
CREATE TABLE wallet_purchases (
  id                uuid PRIMARY KEY,               -- also the ledger transfer id of the coin credit
  user_id           uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  package_id        text NOT NULL,
  coins             integer NOT NULL CHECK (coins > 0),
  price_cents       integer NOT NULL CHECK (price_cents > 0),
  currency          text NOT NULL DEFAULT 'usd',
  provider          text NOT NULL,
  provider_ref      text,
  status            text NOT NULL CHECK (status IN ('pending', 'requires_action', 'succeeded', 'failed', 'refunded', 'charged_back')),
  action_url        text,
  failure_reason    text,
  clawed_back_coins integer NOT NULL DEFAULT 0,
  recovery_coins    integer NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  credited_at       timestamptz,
  reversed_at       timestamptz
);
CREATE UNIQUE INDEX wallet_purchases_provider_ref ON wallet_purchases (provider, provider_ref) WHERE provider_ref IS NOT NULL;
CREATE INDEX wallet_purchases_user ON wallet_purchases (user_id, created_at DESC);

-- Each provider webhook is applied once: the event id is remembered before it is acted on, in the same transaction.
CREATE TABLE payment_events (
  provider    text NOT NULL,
  event_id    text NOT NULL,
  type        text NOT NULL,
  purchase_id uuid,
  outcome     text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, event_id)
);

CREATE TABLE wallet_gifts (
  id         uuid PRIMARY KEY,                       -- client-chosen; ledger transfer ids derive from it
  sender_id  uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  creator_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  video_id   uuid NOT NULL,                          -- no FK: earnings by video outlive a deleted video
  comment_id uuid,
  gift_id    text NOT NULL,
  coins      integer NOT NULL CHECK (coins > 0),
  diamonds   integer NOT NULL CHECK (diamonds >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX wallet_gifts_video ON wallet_gifts (video_id, created_at DESC);
CREATE INDEX wallet_gifts_creator ON wallet_gifts (creator_id, created_at DESC);
CREATE INDEX wallet_gifts_sender ON wallet_gifts (sender_id, created_at DESC);

CREATE TABLE wallet_settings (
  user_id           uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  daily_limit_cents integer CHECK (daily_limit_cents > 0),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wallet_payouts (
  id           uuid PRIMARY KEY,                     -- also the id of the pending ledger transfer that reserves the diamonds
  user_id      uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  diamonds     integer NOT NULL CHECK (diamonds > 0),
  amount_cents integer NOT NULL CHECK (amount_cents > 0),
  status       text NOT NULL CHECK (status IN ('pending', 'paid', 'rejected', 'expired')),
  reason       text,
  provider_ref text,
  decided_by   uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  decided_at   timestamptz
);
CREATE INDEX wallet_payouts_user ON wallet_payouts (user_id, created_at DESC);
CREATE INDEX wallet_payouts_status ON wallet_payouts (status, created_at);

CREATE TABLE wallet_flags (
  id         bigserial PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind       text NOT NULL,
  detail     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX wallet_flags_user ON wallet_flags (user_id, created_at DESC);

-- The sandbox payment provider's own books (it stands in for a remote provider, so it keeps state like one).
CREATE TABLE sandbox_payments (
  id           text PRIMARY KEY,
  purchase_id  uuid NOT NULL UNIQUE,
  user_id      uuid NOT NULL,
  amount_cents integer NOT NULL,
  card_last4   text NOT NULL,
  status       text NOT NULL CHECK (status IN ('requires_action', 'processing', 'succeeded', 'failed', 'refunded', 'disputed')),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sandbox_webhooks (
  id           text PRIMARY KEY,
  payload      text NOT NULL,
  seq          bigserial,
  delivered_at timestamptz,
  attempts     integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sandbox_webhooks_due ON sandbox_webhooks (seq) WHERE delivered_at IS NULL;
CREATE TABLE sandbox_payouts (
  id           text PRIMARY KEY,
  payout_id    uuid NOT NULL UNIQUE,
  user_id      uuid NOT NULL,
  amount_cents integer NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
