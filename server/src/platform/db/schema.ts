import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type Rendition = { name: string; width: number; height: number; bandwidth: number };

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  birthdate: ColumnType<Date, string, string>;
  display_name: string;
  bio: Generated<string>;
  avatar_key: string | null;
  roles: Generated<string[]>;
  created_at: Generated<Date>;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  user_agent: string | null;
}

export interface FollowsTable {
  follower_id: string;
  followee_id: string;
  created_at: Generated<Date>;
}

export interface VideosTable {
  id: string;
  user_id: string;
  caption: Generated<string>;
  visibility: Generated<'public' | 'followers' | 'private'>;
  status: Generated<'processing' | 'ready' | 'failed'>;
  phase: Generated<'queued' | 'probing' | 'transcoding' | 'finishing' | 'ready' | 'failed'>;
  progress: Generated<number>;
  error: string | null;
  source_key: string | null;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  has_audio: boolean | null;
  renditions: Json<Rendition[]>;
  hls_key: string | null;
  poster_key: string | null;
  thumbnails: Json<string[]>;
  view_count: ColumnType<number, number | undefined, number>;
  like_count: ColumnType<number, number | undefined, number>;
  watch_ms: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
  published_at: Timestamp | null;
}

export interface VideoHashtagsTable {
  video_id: string;
  tag: string;
}

export interface VideoMentionsTable {
  video_id: string;
  user_id: string;
}

export interface EventsTable {
  id: string;
  user_id: string | null;
  video_id: string;
  type: string;
  watch_ms: number | null;
  position_ms: number | null;
  duration_ms: number | null;
  feed: string | null;
  client_at: Timestamp | null;
  created_at: Generated<Date>;
  seq: Generated<number>;
}

export interface FeedServedTable {
  session_id: string;
  video_id: string;
  served_at: Generated<Date>;
}

export interface AppStateTable {
  key: string;
  value: string;
  updated_at: Generated<Date>;
}

export interface RecsysStateTable {
  key: string;
  last_seq: number;
  data: Buffer;
  updated_at: Generated<Date>;
}

export interface FeedControlsTable {
  seq: Generated<number>;
  user_id: string;
  kind: 'hide_creator' | 'hide_hashtag' | 'reset' | 'interests';
  value: Generated<string>;
  created_at: Generated<Date>;
}

export interface DB {
  feed_controls: FeedControlsTable;
  recsys_state: RecsysStateTable;
  app_state: AppStateTable;
  users: UsersTable;
  sessions: SessionsTable;
  follows: FollowsTable;
  videos: VideosTable;
  video_hashtags: VideoHashtagsTable;
  video_mentions: VideoMentionsTable;
  events: EventsTable;
  feed_served: FeedServedTable;
}
