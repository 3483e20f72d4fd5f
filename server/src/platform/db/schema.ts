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

// Advertising (issue 7).
export interface AdvertisersTable {
  id: string;
  name: string;
  website: string | null;
  created_by: string;
  created_at: Generated<Date>;
}
export interface AdvertiserMembersTable {
  advertiser_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'analyst';
  created_at: Generated<Date>;
}
export interface AdCampaignsTable {
  id: string;
  advertiser_id: string;
  name: string;
  objective: 'reach' | 'video_views' | 'traffic' | 'community_interaction' | 'conversions';
  status: Generated<'active' | 'paused' | 'archived'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export interface AdGroupsTable {
  id: string;
  campaign_id: string;
  name: string;
  status: Generated<'active' | 'paused' | 'archived'>;
  start_at: Timestamp;
  end_at: Timestamp | null;
  budget_period: 'daily' | 'lifetime';
  budget_micros: number;
  pacing: 'smooth' | 'fast';
  bid_strategy: 'max_delivery' | 'cost_cap' | 'bid_cap';
  billing: 'CPM' | 'CPC' | 'CPV' | 'OCPM';
  bid_micros: number;
  targeting: Json<Record<string, unknown>>;
  frequency_cap: Json<{ max: number; days: number } | null>;
  restricted: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export interface AdsTable {
  id: string;
  ad_group_id: string;
  name: string;
  video_id: string;
  spark: Generated<boolean>;
  cta_text: string;
  landing_url: string;
  status: Generated<'active' | 'paused' | 'archived'>;
  review_status: Generated<'pending' | 'approved' | 'rejected'>;
  review_reason: string | null;
  created_at: Generated<Date>;
}

export interface DB {
  advertisers: AdvertisersTable;
  advertiser_members: AdvertiserMembersTable;
  ad_campaigns: AdCampaignsTable;
  ad_groups: AdGroupsTable;
  ads: AdsTable;
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
