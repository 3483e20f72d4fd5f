// Likes, saves, comments, blocks and notifications (issue 4). Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { z } from 'zod';
import { route } from './route-def.ts';
import { Ok, PageQuery, Profile, UserSummary, VideoList } from './schemas.ts';

const controlChars = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
const VideoIdParams = z.object({ id: z.string().uuid('not a video id') });
const CommentIdParams = z.object({ id: z.string().uuid('not a comment id') });
const CollectionIdParams = z.object({ id: z.string().uuid('not a collection id') });
const UsernameParams = z.object({ username: z.string().min(1).max(64) });

export const COMMENT_MAX = 500;

/** Comment text is stored as written (never HTML-escaped on the way in); clients render it as text. */
export const CommentText = z
  .string()
  .max(COMMENT_MAX, `comment must be at most ${COMMENT_MAX} characters`)
  .refine((s) => s.trim().length > 0, 'comment must not be empty')
  .refine((s) => !controlChars.test(s), 'control characters are not allowed');

/** A profile as the social module shows it to one viewer. */
export const SocialProfile = Profile.extend({
  isPrivate: z.boolean(),
  /** The viewer asked to follow this private account and awaits approval. */
  requested: z.boolean(),
  followsYou: z.boolean(),
  /** The viewer blocked this user (their profile then shows nothing else). */
  blocked: z.boolean(),
  muted: z.boolean(),
  likesPublic: z.boolean(),
  /** Whether the viewer may see this user's videos (false for a private account the viewer does not follow). */
  canSeeVideos: z.boolean(),
});
export type SocialProfile = z.infer<typeof SocialProfile>;

export const FollowQuery = z.object({ videoId: z.string().uuid().optional() });

export const UserListItem = UserSummary.extend({ isFollowing: z.boolean(), isMe: z.boolean() });
export const UserList = z.object({ items: z.array(UserListItem), nextCursor: z.string().nullable() });
export type UserList = z.infer<typeof UserList>;

export const LikeState = z.object({ liked: z.boolean(), likes: z.number().int() });
export type LikeState = z.infer<typeof LikeState>;
export const SaveState = z.object({ saved: z.boolean(), collectionId: z.string().nullable(), saves: z.number().int() });
export type SaveState = z.infer<typeof SaveState>;

export const VideoEngagement = z.object({
  videoId: z.string(),
  liked: z.boolean(),
  saved: z.boolean(),
  collectionId: z.string().nullable(),
  likes: z.number().int(),
  comments: z.number().int(),
  saves: z.number().int(),
  shares: z.number().int(),
});
export type VideoEngagement = z.infer<typeof VideoEngagement>;
export const EngagementQuery = z.object({
  ids: z
    .string()
    .max(50 * 37)
    .transform((s) => [...new Set(s.split(',').filter(Boolean))])
    .pipe(z.array(z.string().uuid('not a video id')).min(1, 'give at least one video id').max(50, 'at most 50 video ids')),
});
export const EngagementList = z.object({ items: z.array(VideoEngagement) });

export const SaveBody = z.object({ collectionId: z.string().uuid().nullable().optional() }).strict();
export const CollectionName = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(40, 'name must be at most 40 characters')
  .refine((s) => !controlChars.test(s), 'control characters are not allowed');
export const CollectionBody = z.object({ name: CollectionName }).strict();
export const Collection = z.object({ id: z.string(), name: z.string(), videos: z.number().int(), createdAt: z.string() });
export type Collection = z.infer<typeof Collection>;
export const CollectionList = z.object({ items: z.array(Collection), saved: z.number().int() });
export const SavedQuery = PageQuery.extend({ collectionId: z.string().uuid().optional() });

export const Comment = z.object({
  id: z.string(),
  videoId: z.string(),
  parentId: z.string().nullable(),
  author: UserSummary,
  /** Exactly as written; render as text. */
  text: z.string(),
  /** Username this reply answers (a reply to a reply), if any. */
  replyTo: z.string().nullable(),
  mentions: z.array(z.string()),
  likes: z.number().int(),
  replies: z.number().int(),
  liked: z.boolean(),
  pinned: z.boolean(),
  /** Caught by the creator's keyword filter: only its author sees it. */
  hidden: z.boolean(),
  byCreator: z.boolean(),
  canDelete: z.boolean(),
  canPin: z.boolean(),
  createdAt: z.string(),
});
export type Comment = z.infer<typeof Comment>;

export const CommentSort = z.enum(['top', 'new']);
export const CommentsQuery = PageQuery.extend({ sort: CommentSort.default('top') });
export const CommentPage = z.object({
  items: z.array(Comment),
  nextCursor: z.string().nullable(),
  /** Comments on the video (all threads), as its counter says. */
  total: z.number().int(),
  /** Whether the viewer may comment, and if not, why in plain words. */
  canComment: z.boolean(),
  reason: z.string().optional(),
});
export type CommentPage = z.infer<typeof CommentPage>;
export const ReplyPage = z.object({ items: z.array(Comment), nextCursor: z.string().nullable() });

export const CommentBody = z.object({ text: CommentText, parentId: z.string().uuid('not a comment id').optional() }).strict();

export const CommentPolicy = z.enum(['everyone', 'followers', 'off']);
export const FilterWord = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40, 'a filter word must be at most 40 characters')
  .refine((s) => !controlChars.test(s), 'control characters are not allowed');
/** ISO 3166-1 alpha-2 country codes (the 249 assigned ones, and XK for Kosovo). */
export const COUNTRY_CODES: readonly string[] =
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW'.split(
    ' ',
  );
const countrySet = new Set(COUNTRY_CODES);
/** A country as a two-letter code; lower case is accepted and stored upper case. */
export const Country = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => countrySet.has(c), 'country must be an ISO 3166-1 two-letter code, e.g. "DE"');
export const EngagementSettings = z.object({
  isPrivate: z.boolean(),
  likesPublic: z.boolean(),
  commentPolicy: CommentPolicy,
  commentFilter: z.array(z.string()),
  /** Where I am (optional): creators see it only counted, as "viewers by region" in their analytics. */
  country: z.string().nullable(),
});
export type EngagementSettings = z.infer<typeof EngagementSettings>;
export const EngagementSettingsUpdate = z
  .object({
    isPrivate: z.boolean(),
    likesPublic: z.boolean(),
    commentPolicy: CommentPolicy,
    commentFilter: z.array(FilterWord).max(100, 'at most 100 filter words'),
    /** null clears it. */
    country: Country.nullable(),
  })
  .partial()
  .strict();

export const NotificationType = z.enum([
  'like',
  'comment',
  'reply',
  'mention',
  'comment_like',
  'follow',
  'follow_request',
  'follow_accepted',
  'gift',
  'moderation',
  'system',
]);
export type NotificationType = z.infer<typeof NotificationType>;

/** One inbox line: happenings with the same group key folded together ("Ana and 12 others liked your video"). */
export const NotificationGroup = z.object({
  key: z.string(),
  type: NotificationType,
  /** The most recent actors (up to 3), newest first. */
  actors: z.array(UserSummary),
  actorCount: z.number().int(),
  count: z.number().int(),
  videoId: z.string().nullable(),
  posterUrl: z.string().nullable(),
  commentId: z.string().nullable(),
  /** Plain text (a comment excerpt, a moderation notice); render as text. */
  text: z.string(),
  unread: z.boolean(),
  createdAt: z.string(),
});
export type NotificationGroup = z.infer<typeof NotificationGroup>;
export const NotificationPage = z.object({ items: z.array(NotificationGroup), nextCursor: z.string().nullable(), unread: z.number().int() });
export const UnreadCount = z.object({ unread: z.number().int() });
export const MarkReadBody = z
  .object({ keys: z.array(z.string().min(1).max(200)).min(1).max(100).optional(), all: z.literal(true).optional() })
  .strict()
  .refine((b) => b.keys || b.all, 'give keys or all');
export const NotificationPrefs = z.object({ prefs: z.record(NotificationType, z.boolean()) });
export const NotificationPrefsUpdate = z.object({ prefs: z.partialRecord(NotificationType, z.boolean()) }).strict();

export const engagementRoutes = {
  likeVideo: route({
    method: 'POST',
    path: '/api/videos/:id/like',
    summary: 'Like a video (idempotent)',
    tags: ['engagement'],
    auth: true,
    params: VideoIdParams,
    response: LikeState,
  }),
  unlikeVideo: route({
    method: 'DELETE',
    path: '/api/videos/:id/like',
    summary: 'Take a like back (idempotent)',
    tags: ['engagement'],
    auth: true,
    params: VideoIdParams,
    response: LikeState,
  }),
  saveVideo: route({
    method: 'POST',
    path: '/api/videos/:id/save',
    summary: 'Save a video (optionally into a collection; saving again moves it)',
    tags: ['engagement'],
    auth: true,
    params: VideoIdParams,
    body: SaveBody,
    response: SaveState,
  }),
  unsaveVideo: route({
    method: 'DELETE',
    path: '/api/videos/:id/save',
    summary: 'Unsave a video',
    tags: ['engagement'],
    auth: true,
    params: VideoIdParams,
    response: SaveState,
  }),
  engagement: route({
    method: 'GET',
    path: '/api/engagement',
    summary: "Counters and the viewer's like/save state for up to 50 videos (`ids` comma-separated)",
    tags: ['engagement'],
    auth: false,
    query: EngagementQuery,
    response: EngagementList,
  }),
  collections: route({
    method: 'GET',
    path: '/api/me/collections',
    summary: 'My collections of saved videos',
    tags: ['engagement'],
    auth: true,
    response: CollectionList,
  }),
  createCollection: route({
    method: 'POST',
    path: '/api/me/collections',
    summary: 'Create a collection',
    tags: ['engagement'],
    auth: true,
    body: CollectionBody,
    response: Collection,
    status: 201,
  }),
  renameCollection: route({
    method: 'PATCH',
    path: '/api/me/collections/:id',
    summary: 'Rename a collection',
    tags: ['engagement'],
    auth: true,
    params: CollectionIdParams,
    body: CollectionBody,
    response: Collection,
  }),
  deleteCollection: route({
    method: 'DELETE',
    path: '/api/me/collections/:id',
    summary: 'Delete a collection (its videos stay saved)',
    tags: ['engagement'],
    auth: true,
    params: CollectionIdParams,
    response: Ok,
  }),
  savedVideos: route({
    method: 'GET',
    path: '/api/me/saved',
    summary: 'My saved videos, newest first',
    tags: ['engagement'],
    auth: true,
    query: SavedQuery,
    response: VideoList,
  }),
  likedVideos: route({
    method: 'GET',
    path: '/api/users/:username/liked',
    summary: "Videos a user liked (their own, or anyone's whose likes are public)",
    tags: ['engagement'],
    auth: false,
    params: UsernameParams,
    query: PageQuery,
    response: VideoList,
  }),
  comments: route({
    method: 'GET',
    path: '/api/videos/:id/comments',
    summary: 'Top-level comments (pinned first, then top or newest)',
    tags: ['comments'],
    auth: false,
    params: VideoIdParams,
    query: CommentsQuery,
    response: CommentPage,
  }),
  addComment: route({
    method: 'POST',
    path: '/api/videos/:id/comments',
    summary: 'Comment, or reply with parentId',
    tags: ['comments'],
    auth: true,
    params: VideoIdParams,
    body: CommentBody,
    response: Comment,
    status: 201,
  }),
  commentReplies: route({
    method: 'GET',
    path: '/api/comments/:id/replies',
    summary: 'Replies to a comment, oldest first',
    tags: ['comments'],
    auth: false,
    params: CommentIdParams,
    query: PageQuery,
    response: ReplyPage,
  }),
  deleteComment: route({
    method: 'DELETE',
    path: '/api/comments/:id',
    summary: 'Delete a comment (its author, or the video creator)',
    tags: ['comments'],
    auth: true,
    params: CommentIdParams,
    response: Ok,
  }),
  likeComment: route({
    method: 'POST',
    path: '/api/comments/:id/like',
    summary: 'Like a comment',
    tags: ['comments'],
    auth: true,
    params: CommentIdParams,
    response: LikeState,
  }),
  unlikeComment: route({
    method: 'DELETE',
    path: '/api/comments/:id/like',
    summary: 'Unlike a comment',
    tags: ['comments'],
    auth: true,
    params: CommentIdParams,
    response: LikeState,
  }),
  pinComment: route({
    method: 'POST',
    path: '/api/comments/:id/pin',
    summary: 'Pin a top-level comment on my video (replaces the pinned one)',
    tags: ['comments'],
    auth: true,
    params: CommentIdParams,
    response: Comment,
  }),
  unpinComment: route({
    method: 'DELETE',
    path: '/api/comments/:id/pin',
    summary: 'Unpin',
    tags: ['comments'],
    auth: true,
    params: CommentIdParams,
    response: Comment,
  }),
  engagementSettings: route({
    method: 'GET',
    path: '/api/me/engagement-settings',
    summary: 'Privacy and comment controls',
    tags: ['social'],
    auth: true,
    response: EngagementSettings,
  }),
  updateEngagementSettings: route({
    method: 'PATCH',
    path: '/api/me/engagement-settings',
    summary: 'Change privacy and comment controls',
    tags: ['social'],
    auth: true,
    body: EngagementSettingsUpdate,
    response: EngagementSettings,
  }),
  followers: route({
    method: 'GET',
    path: '/api/users/:username/followers',
    summary: "A user's followers, newest first",
    tags: ['social'],
    auth: false,
    params: UsernameParams,
    query: PageQuery,
    response: UserList,
  }),
  followingList: route({
    method: 'GET',
    path: '/api/users/:username/following',
    summary: 'Who a user follows, newest first',
    tags: ['social'],
    auth: false,
    params: UsernameParams,
    query: PageQuery,
    response: UserList,
  }),
  followRequests: route({
    method: 'GET',
    path: '/api/me/follow-requests',
    summary: 'Pending requests to follow my private account',
    tags: ['social'],
    auth: true,
    query: PageQuery,
    response: UserList,
  }),
  approveFollowRequest: route({
    method: 'POST',
    path: '/api/me/follow-requests/:username',
    summary: 'Approve a follow request',
    tags: ['social'],
    auth: true,
    params: UsernameParams,
    response: Ok,
  }),
  declineFollowRequest: route({
    method: 'DELETE',
    path: '/api/me/follow-requests/:username',
    summary: 'Decline a follow request',
    tags: ['social'],
    auth: true,
    params: UsernameParams,
    response: Ok,
  }),
  removeFollower: route({
    method: 'DELETE',
    path: '/api/me/followers/:username',
    summary: 'Remove a follower',
    tags: ['social'],
    auth: true,
    params: UsernameParams,
    response: Ok,
  }),
  block: route({
    method: 'POST',
    path: '/api/users/:username/block',
    summary: 'Block a user',
    tags: ['social'],
    auth: true,
    params: UsernameParams,
    response: SocialProfile,
  }),
  unblock: route({
    method: 'DELETE',
    path: '/api/users/:username/block',
    summary: 'Unblock',
    tags: ['social'],
    auth: true,
    params: UsernameParams,
    response: SocialProfile,
  }),
  mute: route({
    method: 'POST',
    path: '/api/users/:username/mute',
    summary: 'Mute a user',
    tags: ['social'],
    auth: true,
    params: UsernameParams,
    response: SocialProfile,
  }),
  unmute: route({
    method: 'DELETE',
    path: '/api/users/:username/mute',
    summary: 'Unmute',
    tags: ['social'],
    auth: true,
    params: UsernameParams,
    response: SocialProfile,
  }),
  blockedUsers: route({
    method: 'GET',
    path: '/api/me/blocks',
    summary: 'Users I blocked',
    tags: ['social'],
    auth: true,
    query: PageQuery,
    response: UserList,
  }),
  notifications: route({
    method: 'GET',
    path: '/api/notifications',
    summary: 'Inbox, grouped, newest first (live updates: GET /api/notifications/stream, text/event-stream)',
    tags: ['notifications'],
    auth: true,
    query: PageQuery,
    response: NotificationPage,
  }),
  unreadNotifications: route({
    method: 'GET',
    path: '/api/notifications/unread',
    summary: 'Unread count',
    tags: ['notifications'],
    auth: true,
    response: UnreadCount,
  }),
  markNotificationsRead: route({
    method: 'POST',
    path: '/api/notifications/read',
    summary: 'Mark groups (or all) read',
    tags: ['notifications'],
    auth: true,
    body: MarkReadBody,
    response: UnreadCount,
  }),
  notificationPrefs: route({
    method: 'GET',
    path: '/api/me/notification-prefs',
    summary: 'Which notification types I receive',
    tags: ['notifications'],
    auth: true,
    response: NotificationPrefs,
  }),
  updateNotificationPrefs: route({
    method: 'PATCH',
    path: '/api/me/notification-prefs',
    summary: 'Turn notification types on or off',
    tags: ['notifications'],
    auth: true,
    body: NotificationPrefsUpdate,
    response: NotificationPrefs,
  }),
} as const;
