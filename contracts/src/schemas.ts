import { z } from 'zod';

/** Every error body the API sends: `{"error":{"code","message"}}`. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export const Role = z.enum(['user', 'advertiser', 'moderator', 'support', 'admin']);
export type Role = z.infer<typeof Role>;

const noControlChars = (s: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s);

export const Username = z
  .string()
  .min(3, 'username must be at least 3 characters')
  .max(24, 'username must be at most 24 characters')
  .regex(/^[a-zA-Z0-9_.]+$/, 'username may contain only letters, digits, "_" and "."');

export const Password = z.string().min(8, 'password must be at least 8 characters').max(256, 'password must be at most 256 characters');

export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a real calendar date');

export const SignupBody = z.object({
  username: Username,
  password: Password,
  birthdate: IsoDate,
  displayName: z.string().trim().min(1).max(50).refine(noControlChars, 'control characters are not allowed').optional(),
});
export type SignupBody = z.infer<typeof SignupBody>;

export const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export type LoginBody = z.infer<typeof LoginBody>;

export const UserSummary = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
});
export type UserSummary = z.infer<typeof UserSummary>;

export const Me = UserSummary.extend({
  bio: z.string(),
  roles: z.array(Role),
  isMinor: z.boolean(),
  createdAt: z.string(),
});
export type Me = z.infer<typeof Me>;

export const ProfileUpdate = z
  .object({
    displayName: z.string().trim().min(1).max(50).refine(noControlChars, 'control characters are not allowed'),
    bio: z.string().max(300).refine(noControlChars, 'control characters are not allowed'),
  })
  .partial()
  .strict();
export type ProfileUpdate = z.infer<typeof ProfileUpdate>;

export const Profile = UserSummary.extend({
  bio: z.string(),
  followers: z.number().int(),
  following: z.number().int(),
  videos: z.number().int(),
  isFollowing: z.boolean(),
  isMe: z.boolean(),
});
export type Profile = z.infer<typeof Profile>;

export const GrantRolesBody = z.object({ roles: z.array(Role).min(1) });

export const Visibility = z.enum(['public', 'followers', 'private']);
export type Visibility = z.infer<typeof Visibility>;

/** Contract status; `phase` carries the finer pipeline step. */
export const VideoStatus = z.enum(['processing', 'ready', 'failed']);
export const VideoPhase = z.enum(['queued', 'probing', 'transcoding', 'finishing', 'ready', 'failed']);

export const Video = z.object({
  id: z.string(),
  status: VideoStatus,
  phase: VideoPhase,
  /** 0–100 across the whole pipeline. */
  progress: z.number().int(),
  error: z.string().optional(),
  caption: z.string(),
  hashtags: z.array(z.string()),
  mentions: z.array(z.string()),
  visibility: Visibility,
  hlsUrl: z.string().optional(),
  posterUrl: z.string().optional(),
  thumbnails: z.array(z.string()),
  renditions: z.array(z.string()),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  createdAt: z.string(),
  author: UserSummary,
  stats: z.object({ views: z.number().int(), likes: z.number().int() }),
});
export type Video = z.infer<typeof Video>;

export const Caption = z.string().max(2200, 'caption must be at most 2200 characters').refine(noControlChars, 'control characters are not allowed');

export const VideoUpdate = z.object({ caption: Caption, visibility: Visibility }).partial().strict();
export type VideoUpdate = z.infer<typeof VideoUpdate>;

export const UploadAccepted = z.object({ id: z.string(), status: VideoStatus });

export const VideoList = z.object({ items: z.array(Video), nextCursor: z.string().nullable() });
export type VideoList = z.infer<typeof VideoList>;

export const FeedItem = z.object({
  video: Video,
  /** Which candidate sources proposed it (e.g. "embedding+hashtag", "explore", "following", "baseline:popular"). */
  reason: z.string(),
  /** "Why this video?" in plain words. */
  why: z.array(z.string()).default([]),
  /** Set on paid placements (an ad slot of the feed); the app shows the label on the item. */
  sponsored: z
    .object({
      label: z.enum(['Sponsored', 'Paid partnership']),
      /** Who paid, as shown to the viewer. */
      by: z.string(),
      /** The ad (or promotion) this impression belongs to. */
      adId: z.string(),
      /** This placement's tracking token: report views and quartiles with it (POST /api/ads/track). */
      impressionId: z.string(),
      /** The call to action; `url` is the click redirect (/r/ad/<impressionId>), which counts the click and forwards to the landing page. */
      cta: z.object({ text: z.string(), url: z.string().url() }).optional(),
    })
    .optional(),
});
export type FeedItem = z.infer<typeof FeedItem>;
export const FeedPage = z.object({ items: z.array(FeedItem), nextCursor: z.string().nullable() });
export type FeedPage = z.infer<typeof FeedPage>;

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10),
  cursor: z.string().max(512).optional(),
});

/** Player signals, then engagement signals the recommender also learns from. */
/** For You: `personal` (the recommender) or `popular` (non-personalised, as some regions require). */
export const ForYouQuery = PageQuery.extend({ mode: z.enum(['personal', 'popular']).default('personal') });

export const NotInterestedBody = z
  .object({ videoId: z.string().uuid(), creator: Username, hashtag: z.string().min(1).max(64) })
  .partial()
  .strict()
  .refine((b) => b.videoId || b.creator || b.hashtag, 'give a videoId, a creator or a hashtag');

/** Cold start: topics a new user picks on first open. */
export const InterestsBody = z.object({
  hashtags: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^#?[\p{L}\p{N}_]{1,64}$/u, 'not a hashtag'),
    )
    .min(1)
    .max(20),
});
export const InterestOptions = z.object({ hashtags: z.array(z.object({ tag: z.string(), videos: z.number().int() })) });

export const EventType = z.enum([
  'impression',
  'play',
  'progress',
  'complete',
  'replay',
  'skip',
  'pause',
  'like',
  'unlike',
  'comment',
  'share',
  'save',
  'follow',
  'profile_visit',
  'not_interested',
  'report',
]);
export type EventType = z.infer<typeof EventType>;

export const InteractionEvent = z.object({
  /** Client-chosen id: a repeated batch counts once. */
  id: z
    .string()
    .min(8)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
  type: EventType,
  videoId: z.string().uuid(),
  /** Milliseconds watched in this view so far. */
  watchMs: z.number().int().min(0).max(3_600_000).optional(),
  /** Position in the video in milliseconds. */
  positionMs: z.number().int().min(0).max(3_600_000).optional(),
  durationMs: z.number().int().min(0).max(3_600_000).optional(),
  /** Traffic source of the view (creator analytics): a feed, a profile, search, a hashtag or challenge page, a share link, or a direct link. */
  feed: z.enum(['for-you', 'following', 'profile', 'direct', 'search', 'hashtag', 'challenge', 'share', 'discover']).optional(),
  at: z.string().datetime().optional(),
});
export type InteractionEvent = z.infer<typeof InteractionEvent>;

export const EventsBody = z.object({ events: z.array(InteractionEvent).min(1).max(100) });
export type EventsBody = z.infer<typeof EventsBody>;
/** `ignored` counts events about videos that do not exist (e.g. deleted meanwhile). */
export const EventsAccepted = z.object({ accepted: z.number().int(), duplicates: z.number().int(), ignored: z.number().int() });

export const Health = z.object({ status: z.literal('ok') });
export const Ok = z.object({ ok: z.literal(true) });
