-- Engagement (issue 4): blocks, mutes, follow requests, privacy, likes, saves and collections,
-- threaded comments, notifications. The discovery module relies on `blocks` and `users.is_private`
-- in exactly these shapes.

CREATE TABLE blocks (
  blocker_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  blocked_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blocker_id, blocked_id),
  CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

ALTER TABLE users ADD COLUMN is_private boolean NOT NULL DEFAULT false;
-- Liked videos are private unless the user makes them public (a "Liked" tab on the profile).
ALTER TABLE users ADD COLUMN likes_public boolean NOT NULL DEFAULT false;
-- Creator comment controls: who may comment on my videos, and words that hide a comment.
ALTER TABLE users ADD COLUMN comment_policy text NOT NULL DEFAULT 'everyone' CHECK (comment_policy IN ('everyone', 'followers', 'off'));
ALTER TABLE users ADD COLUMN comment_filter text[] NOT NULL DEFAULT '{}';

CREATE TABLE mutes (
  muter_id   uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  muted_id   uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (muter_id, muted_id),
  CHECK (muter_id <> muted_id)
);

-- Following a private account asks first; the target approves (→ follows) or declines (row gone).
CREATE TABLE follow_requests (
  requester_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  target_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (requester_id, target_id),
  CHECK (requester_id <> target_id)
);
CREATE INDEX follow_requests_target ON follow_requests (target_id, created_at DESC);
CREATE INDEX follows_follower_created ON follows (follower_id, created_at DESC);
CREATE INDEX follows_followee_created ON follows (followee_id, created_at DESC);

-- Denormalised counters, kept in the same statement as the source row and reconciled by a job.
ALTER TABLE videos ADD COLUMN comment_count bigint NOT NULL DEFAULT 0;
ALTER TABLE videos ADD COLUMN save_count bigint NOT NULL DEFAULT 0;
ALTER TABLE videos ADD COLUMN share_count bigint NOT NULL DEFAULT 0;

CREATE TABLE likes (
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  video_id   uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, video_id)
);
CREATE INDEX likes_video ON likes (video_id);
CREATE INDEX likes_user_created ON likes (user_id, created_at DESC, video_id DESC);

CREATE TABLE collections (
  id         uuid PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX collections_user_name ON collections (user_id, lower(name));

-- A video is saved once per user; `collection_id` null means "All saved" only.
CREATE TABLE saves (
  user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  video_id      uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  collection_id uuid REFERENCES collections(id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, video_id)
);
CREATE INDEX saves_video ON saves (video_id);
CREATE INDEX saves_user_created ON saves (user_id, created_at DESC, video_id DESC);
CREATE INDEX saves_collection ON saves (collection_id, created_at DESC) WHERE collection_id IS NOT NULL;

-- Two levels: a reply to a reply joins the top-level thread (`parent_id` is always a root).
CREATE TABLE comments (
  id          uuid PRIMARY KEY,
  video_id    uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  parent_id   uuid REFERENCES comments(id) ON DELETE CASCADE,
  reply_to_id uuid REFERENCES users(id) ON DELETE SET NULL,
  body        text NOT NULL,
  -- Normalised text hash for duplicate detection (same author, same text, short window).
  body_hash   text NOT NULL,
  -- Matched the creator's keyword filter: shown only to its author.
  hidden      boolean NOT NULL DEFAULT false,
  like_count  bigint NOT NULL DEFAULT 0,
  reply_count bigint NOT NULL DEFAULT 0,
  pinned_at   timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_thread_new ON comments (video_id, parent_id, created_at DESC, id DESC);
CREATE INDEX comments_thread_top ON comments (video_id, like_count DESC, created_at DESC, id DESC) WHERE parent_id IS NULL;
CREATE INDEX comments_replies ON comments (parent_id, created_at, id) WHERE parent_id IS NOT NULL;
CREATE INDEX comments_user_created ON comments (user_id, created_at DESC);
CREATE UNIQUE INDEX comments_one_pin ON comments (video_id) WHERE pinned_at IS NOT NULL;

CREATE TABLE comment_likes (
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  comment_id uuid NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, comment_id)
);
CREATE INDEX comment_likes_comment ON comment_likes (comment_id);

-- One row per happening; the inbox groups rows by `group_key` ("Ana and 12 others liked your video").
CREATE TABLE notifications (
  id         uuid PRIMARY KEY,
  seq        bigserial NOT NULL,
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type       text NOT NULL,
  actor_id   uuid REFERENCES users(id) ON DELETE CASCADE,
  video_id   uuid REFERENCES videos(id) ON DELETE CASCADE,
  comment_id uuid REFERENCES comments(id) ON DELETE CASCADE,
  group_key  text NOT NULL,
  -- A repeat of the same happening (like, unlike, like again) notifies once.
  dedup_key  text,
  text       text NOT NULL DEFAULT '',
  read_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_inbox ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_group ON notifications (user_id, group_key, created_at DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_seq ON notifications (seq);
CREATE UNIQUE INDEX notifications_dedup ON notifications (user_id, dedup_key) WHERE dedup_key IS NOT NULL;

CREATE TABLE notification_prefs (
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type    text NOT NULL,
  enabled boolean NOT NULL,
  PRIMARY KEY (user_id, type)
);
