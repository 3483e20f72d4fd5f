-- Sponsored hashtag challenges (issue 7): a brand buys a challenge for a flat fee through the ledger.
CREATE TABLE ad_challenge_sponsorships (
  id            uuid PRIMARY KEY,             -- client-chosen purchase id; the fee's ledger transfer id derives from it
  challenge_id  uuid NOT NULL UNIQUE REFERENCES challenges(id) ON DELETE RESTRICT,
  advertiser_id uuid NOT NULL REFERENCES advertisers(id) ON DELETE RESTRICT,
  fee_cents     bigint NOT NULL CHECK (fee_cents > 0),
  sound_id      uuid,
  created_by    uuid NOT NULL REFERENCES users(id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ad_challenge_sponsorships_advertiser ON ad_challenge_sponsorships (advertiser_id, created_at DESC);
