-- The ledger (issue 6): double-entry, append-only, TigerBeetle's model on PostgreSQL.
-- Accounts carry cached balances that change only in the same transaction as the transfers that move them;
-- transfers are never updated except a pending transfer's state (pending → posted | voided | expired).
CREATE TABLE ledger_accounts (
  id              uuid PRIMARY KEY,
  asset           text NOT NULL CHECK (asset IN ('COIN', 'DIAMOND', 'USD')),
  kind            text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,47}$'),
  owner_id        uuid,                                  -- a user (or other owner); null for platform accounts. No FK: money outlives deletions.
  debits_must_not_exceed_credits boolean NOT NULL DEFAULT false,
  credits_must_not_exceed_debits boolean NOT NULL DEFAULT false,
  debits_posted   bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_posted  bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  debits_pending  bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  credits_pending bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)),
  -- The database itself refuses an overdraft, whatever the code does (defence in depth).
  CHECK (NOT debits_must_not_exceed_credits OR debits_posted + debits_pending <= credits_posted),
  CHECK (NOT credits_must_not_exceed_debits OR credits_posted + credits_pending <= debits_posted)
);
CREATE UNIQUE INDEX ledger_accounts_identity ON ledger_accounts (asset, kind, owner_id) NULLS NOT DISTINCT;
CREATE INDEX ledger_accounts_owner ON ledger_accounts (owner_id);
CREATE INDEX ledger_accounts_kind ON ledger_accounts (kind, asset);

CREATE TABLE ledger_transfers (
  id                uuid PRIMARY KEY,                    -- the client's: its idempotency key
  seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  kind              text NOT NULL CHECK (kind IN ('single', 'pending', 'post', 'void')),
  debit_account_id  uuid NOT NULL REFERENCES ledger_accounts(id),
  credit_account_id uuid NOT NULL REFERENCES ledger_accounts(id),
  asset             text NOT NULL CHECK (asset IN ('COIN', 'DIAMOND', 'USD')),
  amount            bigint NOT NULL CHECK (amount > 0 AND amount <= 9007199254740991),
  code              text NOT NULL,
  state             text NOT NULL CHECK (state IN ('posted', 'pending', 'voided', 'expired')),
  pending_id        uuid REFERENCES ledger_transfers(id),
  timeout_at        timestamptz,
  meta              jsonb NOT NULL DEFAULT '{}',
  fingerprint       text NOT NULL,                       -- the request's fields, to tell a retry from a reused id
  created_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (debit_account_id <> credit_account_id),
  CHECK ((kind IN ('post', 'void')) = (pending_id IS NOT NULL)),
  CHECK ((kind = 'pending') = (timeout_at IS NOT NULL)),
  CHECK (kind = 'pending' OR state = (CASE kind WHEN 'void' THEN 'voided' ELSE 'posted' END))
);
CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account_id, seq);
CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account_id, seq);
CREATE INDEX ledger_transfers_code ON ledger_transfers (code, seq);
CREATE INDEX ledger_transfers_open_pending ON ledger_transfers (timeout_at) WHERE state = 'pending';
-- At most one post or void per pending transfer.
CREATE UNIQUE INDEX ledger_transfers_resolution ON ledger_transfers (pending_id) WHERE pending_id IS NOT NULL;

-- Ids whose transfer failed: a retry with the same id returns the same failure instead of trying again.
CREATE TABLE ledger_failed_transfers (
  id          uuid PRIMARY KEY,
  error       text NOT NULL,
  fingerprint text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The last reconciliation reports (the job keeps a few).
CREATE TABLE ledger_reconciliations (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ok         boolean NOT NULL,
  report     jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
