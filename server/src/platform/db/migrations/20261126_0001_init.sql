-- Foundation: identity, sessions, follows, videos, interaction events, feed sessions.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  username      text NOT NULL,
  password_hash text NOT NULL,
  birthdate     date NOT NULL,
  display_name  text NOT NULL,
  bio           text NOT NULL DEFAULT '',
  avatar_key    text,
  roles         text[] NOT NULL DEFAULT ARRAY['user'],
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));

CREATE TABLE sessions (
  id           text PRIMARY KEY,            -- sha256 of the cookie token; the token itself is never stored
  user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  user_agent   text
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE follows (
  follower_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  followee_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id),
  CHECK (follower_id <> followee_id)
);
CREATE INDEX follows_followee ON follows (followee_id);

CREATE TABLE videos (
  id           uuid PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  caption      text NOT NULL DEFAULT '',
  visibility   text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public','followers','private')),
  status       text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing','ready','failed')),
  phase        text NOT NULL DEFAULT 'queued',
  progress     int  NOT NULL DEFAULT 0,
  error        text,
  source_key   text,
  width        int,
  height       int,
  duration_ms  int,
  has_audio    boolean,
  renditions   jsonb NOT NULL DEFAULT '[]',
  hls_key      text,
  poster_key   text,
  thumbnails   jsonb NOT NULL DEFAULT '[]',
  view_count   bigint NOT NULL DEFAULT 0,
  like_count   bigint NOT NULL DEFAULT 0,
  watch_ms     bigint NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX videos_user_created ON videos (user_id, created_at DESC, id DESC);
CREATE INDEX videos_feed ON videos (published_at DESC, id DESC) WHERE status = 'ready' AND visibility = 'public';

CREATE TABLE video_hashtags (
  video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  tag      text NOT NULL,
  PRIMARY KEY (video_id, tag)
);
CREATE INDEX video_hashtags_tag ON video_hashtags (tag);

CREATE TABLE video_mentions (
  video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  user_id  uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (video_id, user_id)
);

-- Append-only interaction log; the id is the client's, so a resent batch counts once.
CREATE TABLE events (
  id          text PRIMARY KEY,
  user_id     uuid REFERENCES users(id) ON DELETE SET NULL,
  video_id    uuid NOT NULL,
  type        text NOT NULL,
  watch_ms    int,
  position_ms int,
  duration_ms int,
  feed        text,
  client_at   timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_video ON events (video_id, created_at);
CREATE INDEX events_user ON events (user_id, created_at) WHERE user_id IS NOT NULL;

-- Which videos a feed session has already served, so a session never repeats one.
CREATE TABLE feed_served (
  session_id text NOT NULL,
  video_id   uuid NOT NULL,
  served_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, video_id)
);
CREATE INDEX feed_served_at ON feed_served (served_at);
