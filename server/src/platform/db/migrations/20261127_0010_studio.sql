-- Creation studio (issue 5): remix permissions, renders, lineage, drafts, sounds, templates.

-- Per-video remix permissions; a video without a row allows everything (the platform default).
CREATE TABLE video_permissions (
  video_id uuid PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
  allow_duet boolean NOT NULL DEFAULT true,
  allow_stitch boolean NOT NULL DEFAULT true,
  allow_remix boolean NOT NULL DEFAULT true,
  allow_download boolean NOT NULL DEFAULT true
);

CREATE TABLE studio_renders (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('edit', 'duet', 'stitch', 'template')),
  edl jsonb NOT NULL,
  caption text NOT NULL DEFAULT '',
  visibility text NOT NULL DEFAULT 'public',
  permissions jsonb NOT NULL DEFAULT '{}',
  template_id uuid,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'rendering', 'publishing', 'done', 'failed', 'cancelled')),
  progress integer NOT NULL DEFAULT 0,
  error text,
  attempts integer NOT NULL DEFAULT 0,
  duration_ms integer NOT NULL,
  video_id uuid REFERENCES videos(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX studio_renders_user ON studio_renders (user_id, created_at DESC);

-- Lineage: a rendered video's sources. No foreign key on the source: the record outlives a deleted source.
CREATE TABLE remix_sources (
  video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  source_video_id uuid NOT NULL,
  source_user_id uuid NOT NULL,
  source_username text NOT NULL,
  kind text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (video_id, source_video_id)
);
CREATE INDEX remix_sources_source ON remix_sources (source_video_id, created_at DESC);

CREATE TABLE studio_drafts (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title text NOT NULL DEFAULT '',
  edl jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX studio_drafts_user ON studio_drafts (user_id, updated_at DESC);

CREATE TABLE sounds (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  -- The video whose audio this is (NULL for an uploaded sound or voice-over).
  video_id uuid UNIQUE REFERENCES videos(id) ON DELETE SET NULL,
  title text NOT NULL,
  audio_key text NOT NULL,
  duration_ms integer NOT NULL,
  -- Chromaprint raw fingerprint (little-endian uint32s): survives re-encoding, compared by bit error rate.
  fingerprint bytea,
  -- A re-upload of the same audio points at the first sound that had it.
  original_sound_id uuid REFERENCES sounds(id) ON DELETE SET NULL,
  enabled boolean NOT NULL DEFAULT true,
  -- Uploaded voice-overs stay private to their owner.
  listed boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sounds_owner ON sounds (owner_id, created_at DESC);
CREATE INDEX sounds_title ON sounds (lower(title) text_pattern_ops);

-- Candidate lookup for re-upload recognition: the top 20 bits of sampled fingerprint words.
CREATE TABLE sound_fp_keys (
  key integer NOT NULL,
  sound_id uuid NOT NULL REFERENCES sounds(id) ON DELETE CASCADE,
  PRIMARY KEY (key, sound_id)
);

CREATE TABLE sound_uses (
  video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  sound_id uuid NOT NULL REFERENCES sounds(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (video_id, sound_id)
);
CREATE INDEX sound_uses_sound ON sound_uses (sound_id, created_at DESC);

CREATE TABLE studio_templates (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title text NOT NULL,
  edl jsonb NOT NULL,
  slots jsonb NOT NULL,
  use_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
