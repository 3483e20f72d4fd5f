-- Payment intents (issue 6, crash windows): every provider call is preceded by a committed intent row, and a recovery
-- job (payments.recover) re-drives intents a crash left half-done.

-- Payouts: an approval is recorded ('approving', who, when) before the payout provider is called; the diamonds are
-- posted in that same transaction, so the ledger's expiry can no longer void a payout the provider may have paid.
-- `driving_until` is the lease of whoever is calling the provider now (an approval, its retry, the recovery job); a
-- rejection of an 'approving' payout waits until no lease is held and the provider confirms it never paid.
ALTER TABLE wallet_payouts DROP CONSTRAINT IF EXISTS wallet_payouts_status_check;
ALTER TABLE wallet_payouts ADD CONSTRAINT wallet_payouts_status_check CHECK (status IN ('pending', 'approving', 'paid', 'rejected', 'expired'));
ALTER TABLE wallet_payouts ADD COLUMN approved_by uuid REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE wallet_payouts ADD COLUMN approving_at timestamptz;
ALTER TABLE wallet_payouts ADD COLUMN driving_until timestamptz;
ALTER TABLE wallet_payouts ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE wallet_payouts ADD COLUMN last_error text;
CREATE INDEX wallet_payouts_approving ON wallet_payouts (driving_until) WHERE status = 'approving';

-- Coin purchases and ads top-ups: the payment method is kept only until the provider has answered (a Stripe
-- PaymentMethod id or a sandbox test card — never a real card number), so the recovery job can ask again with our id
-- (the provider is idempotent on it) when a crash cut the first call off.
ALTER TABLE wallet_purchases ADD COLUMN payment_method text;
ALTER TABLE wallet_purchases ADD COLUMN attempts integer NOT NULL DEFAULT 0;
CREATE INDEX wallet_purchases_unstarted ON wallet_purchases (created_at) WHERE provider_ref IS NULL AND status = 'pending';
ALTER TABLE ad_topups ADD COLUMN payment_method text;
ALTER TABLE ad_topups ADD COLUMN attempts integer NOT NULL DEFAULT 0;
CREATE INDEX ad_topups_unstarted ON ad_topups (created_at) WHERE provider_ref IS NULL AND status = 'pending';
