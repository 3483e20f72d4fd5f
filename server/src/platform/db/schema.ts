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
  is_private: Generated<boolean>;
  likes_public: Generated<boolean>;
  comment_policy: Generated<'everyone' | 'followers' | 'off'>;
  comment_filter: Generated<string[]>;
  /** ISO 3166-1 alpha-2, set in the user's settings (migration 0013). */
  country: Generated<string | null>;
  /** Set while staff have suspended the account (migration 0015); see account_actions for the history. */
  suspended_at: Generated<Date | null>;
  suspension_reason: Generated<string | null>;
}

export interface AccountActionsTable {
  id: Generated<number>;
  user_id: string;
  actor_id: string | null;
  action: 'suspend' | 'unsuspend';
  reason: string;
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
  comment_count: Generated<number>;
  save_count: Generated<number>;
  share_count: Generated<number>;
  watch_ms: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
  published_at: Timestamp | null;
  /** Whether this upload's audio becomes a sound; NULL follows the owner's sound_settings. */
  make_sound: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
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

// Engagement (migration 0008).
export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: Generated<Date>;
}
export interface MutesTable {
  muter_id: string;
  muted_id: string;
  created_at: Generated<Date>;
}
export interface FollowRequestsTable {
  requester_id: string;
  target_id: string;
  created_at: Generated<Date>;
}
export interface LikesTable {
  user_id: string;
  video_id: string;
  created_at: Generated<Date>;
}
export interface CollectionsTable {
  id: string;
  user_id: string;
  name: string;
  created_at: Generated<Date>;
}
export interface SavesTable {
  user_id: string;
  video_id: string;
  collection_id: string | null;
  created_at: Generated<Date>;
}
export interface CommentsTable {
  id: string;
  video_id: string;
  user_id: string;
  parent_id: string | null;
  reply_to_id: string | null;
  body: string;
  body_hash: string;
  hidden: Generated<boolean>;
  like_count: Generated<number>;
  reply_count: Generated<number>;
  pinned_at: Timestamp | null;
  created_at: Generated<Date>;
}
export interface CommentLikesTable {
  user_id: string;
  comment_id: string;
  created_at: Generated<Date>;
}
export interface NotificationsTable {
  id: string;
  seq: Generated<number>;
  user_id: string;
  type: string;
  actor_id: string | null;
  video_id: string | null;
  comment_id: string | null;
  group_key: string;
  dedup_key: string | null;
  text: Generated<string>;
  read_at: Timestamp | null;
  created_at: Generated<Date>;
}
export interface NotificationPrefsTable {
  user_id: string;
  type: string;
  enabled: boolean;
}

// Discovery (migration 0009): search index, vocabulary, hashtag counts, challenges, shares.
export interface VideoSearchTable {
  video_id: string;
  user_id: string;
  tsv: string;
  searchable: boolean;
  published_at: Date | null;
}

export interface SearchWordsTable {
  word: string;
  docs: Generated<number>;
}

export interface HashtagsTable {
  tag: string;
  videos: Generated<number>;
}

export interface ChallengesTable {
  id: string;
  slug: string;
  hashtag: string;
  title: string;
  description: Generated<string>;
  rules: Generated<string>;
  banner_key: string | null;
  starts_at: Timestamp;
  ends_at: Timestamp;
  featured: Generated<boolean>;
  sponsor: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface VideoSharesTable {
  id: string;
  video_id: string;
  user_id: string | null;
  channel: string;
  created_at: Generated<Date>;
}

export interface ShareVisitsTable {
  video_id: string;
  visitor: string;
  day: ColumnType<Date, string, string>;
  sharer_id: string | null;
  created_at: Generated<Date>;
}

export interface LedgerAccountsTable {
  id: string;
  asset: 'COIN' | 'DIAMOND' | 'USD';
  kind: string;
  owner_id: string | null;
  debits_must_not_exceed_credits: Generated<boolean>;
  credits_must_not_exceed_debits: Generated<boolean>;
  debits_posted: Generated<number>;
  credits_posted: Generated<number>;
  debits_pending: Generated<number>;
  credits_pending: Generated<number>;
  created_at: Generated<Date>;
}

export interface LedgerTransfersTable {
  id: string;
  seq: Generated<number>;
  kind: 'single' | 'pending' | 'post' | 'void';
  debit_account_id: string;
  credit_account_id: string;
  asset: 'COIN' | 'DIAMOND' | 'USD';
  amount: number;
  code: string;
  state: 'posted' | 'pending' | 'voided' | 'expired';
  pending_id: string | null;
  timeout_at: Timestamp | null;
  meta: Json<Record<string, unknown>>;
  fingerprint: string;
  created_at: Timestamp;
}

export interface LedgerFailedTransfersTable {
  id: string;
  error: string;
  fingerprint: string;
  created_at: Generated<Date>;
}

export interface LedgerReconciliationsTable {
  id: Generated<number>;
  ok: boolean;
  report: Json<unknown>;
  created_at: Generated<Date>;
}

// Wallet (issue 6): coins, gifts, payouts. Balances live in the ledger; these say why money moved.
export interface WalletPurchasesTable {
  id: string;
  user_id: string;
  package_id: string;
  coins: number;
  price_cents: number;
  currency: Generated<string>;
  provider: string;
  provider_ref: string | null;
  status: 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'refunded' | 'charged_back';
  action_url: string | null;
  failure_reason: string | null;
  clawed_back_coins: Generated<number>;
  recovery_coins: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  credited_at: Timestamp | null;
  reversed_at: Timestamp | null;
  // migration 0020: kept until the provider answers, so a crashed start can be re-driven
  payment_method: string | null;
  attempts: Generated<number>;
}

export interface PaymentEventsTable {
  provider: string;
  event_id: string;
  type: string;
  purchase_id: string | null;
  outcome: string;
  received_at: Generated<Date>;
}

export interface WalletGiftsTable {
  id: string;
  sender_id: string;
  creator_id: string;
  video_id: string;
  comment_id: string | null;
  gift_id: string;
  coins: number;
  diamonds: number;
  created_at: Generated<Date>;
}

export interface WalletSettingsTable {
  user_id: string;
  daily_limit_cents: number | null;
  updated_at: Generated<Date>;
}

export interface WalletPayoutsTable {
  id: string;
  user_id: string;
  diamonds: number;
  amount_cents: number;
  status: 'pending' | 'approving' | 'paid' | 'rejected' | 'expired';
  reason: string | null;
  provider_ref: string | null;
  decided_by: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  decided_at: Timestamp | null;
  // migration 0020: the approval intent
  approved_by: string | null;
  approving_at: Timestamp | null;
  driving_until: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface WalletFlagsTable {
  id: Generated<number>;
  user_id: string;
  kind: string;
  detail: string;
  created_at: Generated<Date>;
}

export interface SandboxPaymentsTable {
  id: string;
  purchase_id: string;
  user_id: string;
  amount_cents: number;
  card_last4: string;
  status: 'requires_action' | 'processing' | 'succeeded' | 'failed' | 'refunded' | 'disputed';
  created_at: Generated<Date>;
}

export interface SandboxWebhooksTable {
  id: string;
  payload: string;
  seq: Generated<number>;
  delivered_at: Timestamp | null;
  attempts: Generated<number>;
  created_at: Generated<Date>;
}

export interface SandboxPayoutsTable {
  id: string;
  payout_id: string;
  user_id: string;
  amount_cents: number;
  created_at: Generated<Date>;
}

// Creation studio (issue 5)
export interface VideoPermissionsTable {
  video_id: string;
  allow_duet: Generated<boolean>;
  allow_stitch: Generated<boolean>;
  allow_remix: Generated<boolean>;
  allow_download: Generated<boolean>;
}

export interface StudioRendersTable {
  id: string;
  user_id: string;
  kind: 'edit' | 'duet' | 'stitch' | 'template';
  edl: Json<unknown>;
  caption: Generated<string>;
  visibility: Generated<'public' | 'followers' | 'private'>;
  permissions: Json<Record<string, boolean>>;
  template_id: string | null;
  status: Generated<'queued' | 'rendering' | 'publishing' | 'done' | 'failed' | 'cancelled'>;
  progress: Generated<number>;
  error: string | null;
  attempts: Generated<number>;
  duration_ms: number;
  video_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RemixSourcesTable {
  video_id: string;
  source_video_id: string;
  source_user_id: string;
  source_username: string;
  kind: string;
  created_at: Generated<Date>;
}

export interface StudioDraftsTable {
  id: string;
  user_id: string;
  title: Generated<string>;
  edl: Json<unknown>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SoundsTable {
  id: string;
  owner_id: string;
  video_id: string | null;
  title: string;
  audio_key: string;
  duration_ms: number;
  fingerprint: Buffer | null;
  original_sound_id: string | null;
  enabled: Generated<boolean>;
  listed: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface SoundFpKeysTable {
  key: number;
  sound_id: string;
}

export interface SoundUsesTable {
  video_id: string;
  sound_id: string;
  created_at: Generated<Date>;
}

export interface StudioTemplatesTable {
  id: string;
  owner_id: string;
  title: string;
  edl: Json<unknown>;
  slots: Json<{ name: string; durationMs: number }[]>;
  use_count: Generated<number>;
  created_at: Generated<Date>;
}

export interface SoundSettingsTable {
  user_id: string;
  from_uploads: Generated<boolean>;
  updated_at: Generated<Date>;
}

// Advertising (issue 7).
export interface AdvertisersTable {
  id: string;
  name: string;
  website: string | null;
  created_by: string;
  created_at: Generated<Date>;
  spend_carry_micros: Generated<number>;
  conversions_key_hash: string | null;
  kind: Generated<'business' | 'creator'>;
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
  /** oCPM's optimisation event (migration 0021); null = conversions. */
  optimize_for: Generated<'conversion' | 'follow' | 'profile_visit' | 'view6s' | null>;
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
  /** Spark ads: the creator's authorisation code (migration 0017). */
  spark_code_id: ColumnType<string | null, string | null | undefined, string | null>;
}
export interface SparkCodesTable {
  id: string;
  video_id: string;
  creator_id: string;
  code_hash: string;
  hint: string;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}
export interface PromotionsTable {
  id: string;
  user_id: string;
  video_id: string;
  advertiser_id: string;
  campaign_id: string;
  ad_group_id: string;
  ad_id: string;
  goal: 'views' | 'follows' | 'profile_visits';
  days: number;
  payment: 'coins' | 'card';
  coins: number | null;
  amount_cents: number;
  topup_id: string | null;
  status: 'awaiting_payment' | 'active' | 'stopped' | 'payment_failed';
  starts_at: Date | null;
  ends_at: Date | null;
  stopped_at: Date | null;
  created_at: Generated<Date>;
}
export interface AdTopupsTable {
  id: string;
  advertiser_id: string;
  user_id: string;
  amount_cents: number;
  provider: string;
  provider_ref: string | null;
  status: 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'refunded' | 'charged_back';
  action_url: string | null;
  failure_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  credited_at: Timestamp | null;
  // migration 0020: kept until the provider answers, so a crashed start can be re-driven
  payment_method: string | null;
  attempts: Generated<number>;
}
export interface AdLeasesTable {
  id: string;
  advertiser_id: string;
  amount_cents: number;
  state: Generated<'open' | 'posted' | 'voided'>;
  posted_cents: number | null;
  opened_at: Generated<Date>;
  closed_at: Timestamp | null;
}
export interface AdImpressionsTable {
  id: string;
  ad_id: string;
  ad_group_id: string;
  campaign_id: string;
  advertiser_id: string;
  viewer_key: string;
  ip_hash: string | null;
  billing: 'CPM' | 'CPC' | 'CPV' | 'OCPM';
  price_micros: number;
  charged_micros: Generated<number>;
  lease_id: string | null;
  hold_id: string | null;
  served_at: Timestamp;
  viewable_at: Timestamp | null;
  view2s_at: Timestamp | null;
  view6s_at: Timestamp | null;
  q25_at: Timestamp | null;
  q50_at: Timestamp | null;
  q75_at: Timestamp | null;
  q100_at: Timestamp | null;
  clicked_at: Timestamp | null;
  watch_ms: Generated<number>;
  invalid: string | null;
  /** Follow of the ad video's creator / profile visit attributed to this impression (migration 0021). */
  followed_at: Generated<Timestamp | null>;
  profile_visit_at: Generated<Timestamp | null>;
}
export interface AdAudiencesTable {
  id: string;
  advertiser_id: string;
  name: string;
  seed: string;
  min_similarity: number;
  max_size: number;
  seed_size: Generated<number>;
  size: Generated<number>;
  status: Generated<'pending' | 'ready' | 'seed_too_small'>;
  computed_at: Date | null;
  created_by: string;
  created_at: Generated<Date>;
}
export interface AdAudienceMembersTable {
  audience_id: string;
  user_id: string;
  similarity: number;
}
export interface AdInvoicesTable {
  advertiser_id: string;
  month: ColumnType<Date, string, string>;
  seq: Generated<number>;
  issued_at: Generated<Date>;
}
export interface AdConversionsTable {
  advertiser_id: string;
  event_id: string;
  source: 'pixel' | 'api';
  event: string;
  value_cents: Generated<number>;
  viewer_key: string | null;
  impression_id: string | null;
  ad_id: string | null;
  ad_group_id: string | null;
  campaign_id: string | null;
  attribution: 'click_1d' | 'click_7d' | 'click_28d' | 'view_1d' | null;
  occurred_at: Timestamp;
  received_at: Generated<Date>;
}
export interface AdChallengeSponsorshipsTable {
  id: string;
  challenge_id: string;
  advertiser_id: string;
  fee_cents: number;
  sound_id: string | null;
  created_by: string;
  created_at: Generated<Date>;
}

export interface DB {
  ad_audiences: AdAudiencesTable;
  ad_audience_members: AdAudienceMembersTable;
  ad_invoices: AdInvoicesTable;
  spark_codes: SparkCodesTable;
  promotions: PromotionsTable;
  ad_challenge_sponsorships: AdChallengeSponsorshipsTable;
  ad_topups: AdTopupsTable;
  ad_leases: AdLeasesTable;
  ad_impressions: AdImpressionsTable;
  ad_conversions: AdConversionsTable;
  advertisers: AdvertisersTable;
  advertiser_members: AdvertiserMembersTable;
  ad_campaigns: AdCampaignsTable;
  ad_groups: AdGroupsTable;
  ads: AdsTable;
  video_permissions: VideoPermissionsTable;
  studio_renders: StudioRendersTable;
  remix_sources: RemixSourcesTable;
  studio_drafts: StudioDraftsTable;
  sounds: SoundsTable;
  sound_fp_keys: SoundFpKeysTable;
  sound_uses: SoundUsesTable;
  studio_templates: StudioTemplatesTable;
  sound_settings: SoundSettingsTable;
  wallet_purchases: WalletPurchasesTable;
  payment_events: PaymentEventsTable;
  wallet_gifts: WalletGiftsTable;
  wallet_settings: WalletSettingsTable;
  wallet_payouts: WalletPayoutsTable;
  wallet_flags: WalletFlagsTable;
  sandbox_payments: SandboxPaymentsTable;
  sandbox_webhooks: SandboxWebhooksTable;
  sandbox_payouts: SandboxPayoutsTable;
  blocks: BlocksTable;
  mutes: MutesTable;
  follow_requests: FollowRequestsTable;
  likes: LikesTable;
  collections: CollectionsTable;
  saves: SavesTable;
  comments: CommentsTable;
  comment_likes: CommentLikesTable;
  notifications: NotificationsTable;
  notification_prefs: NotificationPrefsTable;
  feed_controls: FeedControlsTable;
  recsys_state: RecsysStateTable;
  app_state: AppStateTable;
  users: UsersTable;
  account_actions: AccountActionsTable;
  sessions: SessionsTable;
  follows: FollowsTable;
  videos: VideosTable;
  video_hashtags: VideoHashtagsTable;
  video_mentions: VideoMentionsTable;
  events: EventsTable;
  feed_served: FeedServedTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_transfers: LedgerTransfersTable;
  ledger_failed_transfers: LedgerFailedTransfersTable;
  ledger_reconciliations: LedgerReconciliationsTable;
  video_search: VideoSearchTable;
  search_words: SearchWordsTable;
  hashtags: HashtagsTable;
  challenges: ChallengesTable;
  video_shares: VideoSharesTable;
  share_visits: ShareVisitsTable;
}
