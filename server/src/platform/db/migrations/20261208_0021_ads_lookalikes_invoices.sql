-- Ads (issue 7, session 4): lookalike audiences, invoices, Promote goals that steer the bidding.

-- What an oCPM ad group optimises toward (NULL = conversions, as before): Promote's follows, profile visits or 6-s views.
ALTER TABLE ad_groups ADD COLUMN optimize_for text CHECK (optimize_for IN ('conversion', 'follow', 'profile_visit', 'view6s'));

-- Follows of the ad video's creator and profile visits attributed to an impression (Promote's goals).
ALTER TABLE ad_impressions ADD COLUMN followed_at timestamptz;
ALTER TABLE ad_impressions ADD COLUMN profile_visit_at timestamptz;

-- Lookalike audiences: the people whose recommender interest vectors are nearest the seed audience's centroid.
CREATE TABLE ad_audiences (
  id             uuid PRIMARY KEY,
  advertiser_id  uuid NOT NULL REFERENCES advertisers(id) ON DELETE CASCADE,
  name           text NOT NULL,
  seed           text NOT NULL,                       -- an audience key, e.g. engaged:<advertiser id>
  min_similarity real NOT NULL CHECK (min_similarity >= 0 AND min_similarity < 1),
  max_size       integer NOT NULL CHECK (max_size > 0),
  seed_size      integer NOT NULL DEFAULT 0,
  size           integer NOT NULL DEFAULT 0,
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'seed_too_small')),
  computed_at    timestamptz,
  created_by     uuid NOT NULL REFERENCES users(id),
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ad_audiences_advertiser ON ad_audiences (advertiser_id, created_at);
CREATE TABLE ad_audience_members (
  audience_id uuid NOT NULL REFERENCES ad_audiences(id) ON DELETE CASCADE,
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  similarity  real NOT NULL,
  PRIMARY KEY (audience_id, user_id)
);

-- Monthly invoices: a stable number per advertiser and month (UTC), issued the first time it is asked for.
CREATE TABLE ad_invoices (
  advertiser_id uuid NOT NULL REFERENCES advertisers(id) ON DELETE RESTRICT,
  month         date NOT NULL CHECK (extract(day FROM month) = 1),
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  issued_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (advertiser_id, month)
);
