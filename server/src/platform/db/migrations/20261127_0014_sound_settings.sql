-- Creation studio (issue 5): "don't turn my upload's audio into a sound".

-- The account default; no row means the platform default (every upload's audio becomes a sound).
CREATE TABLE sound_settings (
  user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  from_uploads boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The choice made for one upload; NULL follows the account default at the time the sound would be made.
ALTER TABLE videos ADD COLUMN make_sound boolean;
