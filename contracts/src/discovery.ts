// Search, trends, challenges, share pages and creator analytics (issue 4). Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { z } from 'zod';
import { route } from './route-def.ts';
import { Ok, UserSummary, Video, VideoList } from './schemas.ts';
import { Sound } from './studio.ts';

const noControlChars = (s: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s);

/** A search query: what a person types, trimmed; longer than 100 characters is refused, not truncated. */
export const SearchText = z
  .string()
  .trim()
  .min(1, 'type something to search for')
  .max(100, 'query must be at most 100 characters')
  .refine(noControlChars, 'control characters are not allowed');

export const SearchQuery = z.object({
  q: SearchText,
  type: z.enum(['all', 'videos', 'users', 'hashtags', 'sounds']).default('all'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const HashtagName = z
  .string()
  .trim()
  .toLowerCase()
  .transform((s) => s.replace(/^#/, ''))
  .pipe(z.string().regex(/^[\p{L}\p{N}_]{1,64}$/u, 'not a hashtag (letters, digits and "_", at most 64)'));

export const UserHit = UserSummary.extend({ followers: z.number().int(), videos: z.number().int() });
export type UserHit = z.infer<typeof UserHit>;
export const HashtagHit = z.object({ tag: z.string(), videos: z.number().int() });
export type HashtagHit = z.infer<typeof HashtagHit>;

export const SearchResult = z.object({
  query: z.string(),
  /** When a word was not found and a close one was used instead ("did you mean"). */
  corrected: z.string().nullable(),
  videos: z.array(Video),
  users: z.array(UserHit),
  hashtags: z.array(HashtagHit),
  /** Sounds in the library whose title matches (videos using a matching sound are among `videos`). */
  sounds: z.array(Sound),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SuggestQuery = z.object({ q: SearchText });
export const SoundHit = z.object({ id: z.string(), title: z.string(), username: z.string(), useCount: z.number().int() });
export type SoundHit = z.infer<typeof SoundHit>;
export const Suggestions = z.object({ hashtags: z.array(HashtagHit), users: z.array(UserSummary), sounds: z.array(SoundHit) });
export type Suggestions = z.infer<typeof Suggestions>;

export const ChallengeStatus = z.enum(['upcoming', 'active', 'ended']);
export const Challenge = z.object({
  id: z.string(),
  slug: z.string(),
  hashtag: z.string(),
  title: z.string(),
  description: z.string(),
  rules: z.string(),
  bannerUrl: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  featured: z.boolean(),
  /** Set by the ads issue for sponsored challenges; null = organic. */
  sponsor: z.string().nullable(),
  status: ChallengeStatus,
  /** Distinct creators who posted with the hashtag during the challenge. */
  participants: z.number().int(),
});
export type Challenge = z.infer<typeof Challenge>;

const Text = (max: number, field: string) =>
  z
    .string()
    .max(max, `${field} must be at most ${max} characters`)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), 'control characters are not allowed');

export const ChallengeSlug = z
  .string()
  .min(3, 'slug must be at least 3 characters')
  .max(60, 'slug must be at most 60 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'slug may contain only lowercase letters, digits and single dashes');

export const ChallengeCreate = z
  .object({
    slug: ChallengeSlug,
    hashtag: HashtagName,
    title: Text(100, 'title').pipe(z.string().trim().min(1, 'title is required')),
    description: Text(2000, 'description').default(''),
    rules: Text(2000, 'rules').default(''),
    startsAt: z.string().datetime({ offset: true, message: 'startsAt must be an ISO date-time' }),
    endsAt: z.string().datetime({ offset: true, message: 'endsAt must be an ISO date-time' }),
    featured: z.boolean().default(false),
    sponsor: Text(100, 'sponsor').nullable().default(null),
  })
  .strict()
  .refine((c) => Date.parse(c.endsAt) > Date.parse(c.startsAt), { message: 'endsAt must be after startsAt', path: ['endsAt'] });
export type ChallengeCreate = z.input<typeof ChallengeCreate>;

export const ChallengeUpdate = z
  .object({
    title: Text(100, 'title').pipe(z.string().trim().min(1, 'title is required')),
    description: Text(2000, 'description'),
    rules: Text(2000, 'rules'),
    startsAt: z.string().datetime({ offset: true, message: 'startsAt must be an ISO date-time' }),
    endsAt: z.string().datetime({ offset: true, message: 'endsAt must be an ISO date-time' }),
    featured: z.boolean(),
    sponsor: Text(100, 'sponsor').nullable(),
  })
  .partial()
  .strict();
export type ChallengeUpdate = z.input<typeof ChallengeUpdate>;

export const ChallengeList = z.object({ items: z.array(Challenge) });
export const LeaderboardEntry = z.object({ rank: z.number().int(), score: z.number(), video: Video });
export const Leaderboard = z.object({ challenge: Challenge, items: z.array(LeaderboardEntry) });
export type Leaderboard = z.infer<typeof Leaderboard>;

export const TrendingHashtag = z.object({
  tag: z.string(),
  /** Velocity with time decay, counted by distinct users. */
  score: z.number(),
  /** Distinct people active with the tag in the trend window. */
  people: z.number().int(),
  videos: z.number().int(),
  topVideos: z.array(Video),
});
export type TrendingHashtag = z.infer<typeof TrendingHashtag>;
export const TrendingSound = z.object({
  sound: Sound,
  /** Velocity with time decay, counted by distinct users (as for hashtags). */
  score: z.number(),
  /** Distinct people active with videos using the sound in the trend window. */
  people: z.number().int(),
  /** Public videos using the sound. */
  videos: z.number().int(),
});
export type TrendingSound = z.infer<typeof TrendingSound>;
export const Discover = z.object({
  hashtags: z.array(TrendingHashtag),
  sounds: z.array(TrendingSound),
  creators: z.array(UserHit),
  challenges: z.array(Challenge),
});
export type Discover = z.infer<typeof Discover>;

export const HashtagPage = z.object({ tag: z.string(), videos: z.number().int(), challenge: Challenge.nullable() });
export const HashtagVideosQuery = z.object({
  sort: z.enum(['top', 'new']).default('top'),
  limit: z.coerce.number().int().min(1).max(50).default(12),
  cursor: z.string().max(512).optional(),
});

export const ShareChannel = z.enum(['copy', 'native', 'qr', 'embed', 'other']);
export const ShareBody = z.object({ channel: ShareChannel }).strict();
export const ShareInfo = z.object({
  /** The public page, with the sharer's attribution (?s=…&src=share) when signed in. */
  url: z.string(),
  embedUrl: z.string(),
  embedCode: z.string(),
  shares: z.number().int(),
});
export type ShareInfo = z.infer<typeof ShareInfo>;

export const OembedQuery = z.object({
  url: z.string().min(1).max(2048),
  format: z.string().max(10).default('json'),
  maxwidth: z.coerce.number().int().min(50).max(4096).optional(),
  maxheight: z.coerce.number().int().min(50).max(4096).optional(),
});
export const Oembed = z.object({
  version: z.literal('1.0'),
  type: z.literal('video'),
  title: z.string(),
  author_name: z.string(),
  author_url: z.string(),
  provider_name: z.string(),
  provider_url: z.string(),
  thumbnail_url: z.string().optional(),
  thumbnail_width: z.number().int().optional(),
  thumbnail_height: z.number().int().optional(),
  html: z.string(),
  width: z.number().int(),
  height: z.number().int(),
});

export const AnalyticsQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .refine((d) => [7, 28, 90].includes(d), 'days must be 7, 28 or 90')
    .default(28),
  /** Staff only: another creator's analytics. */
  user: z.string().min(1).max(64).optional(),
});
const Metrics = z.object({
  views: z.number().int(),
  watchTimeMs: z.number().int(),
  /** 0–100. */
  avgWatchPct: z.number(),
  /** 0–100: views that reached the end. */
  completionRate: z.number(),
  likes: z.number().int(),
  shares: z.number().int(),
});
export const TrafficSource = z.enum(['for-you', 'following', 'profile', 'search', 'hashtag', 'challenge', 'share', 'discover', 'direct', 'unknown']);
export const Analytics = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number().int(),
  totals: Metrics.extend({ followers: z.number().int(), followersGained: z.number().int() }),
  daily: z.array(z.object({ date: z.string(), views: z.number().int(), watchTimeMs: z.number().int(), followersGained: z.number().int() })),
  sources: z.array(z.object({ source: TrafficSource, views: z.number().int() })),
  audience: z.object({
    ageBands: z.array(z.object({ band: z.string(), viewers: z.number().int() })),
    /** Signed-out viewers, whose age is not known. */
    unknownViewers: z.number().int(),
    /** Signed-in viewers by the country they set in their settings (ISO 3166-1 alpha-2), most first. */
    regions: z.array(z.object({ region: z.string(), viewers: z.number().int() })),
    /** Signed-in viewers who have not said where they are (signed-out ones are `unknownViewers`). */
    unknownRegionViewers: z.number().int(),
  }),
  videos: z.array(Metrics.extend({ id: z.string(), caption: z.string(), posterUrl: z.string().nullable(), createdAt: z.string() })),
});
export type Analytics = z.infer<typeof Analytics>;
export const VideoAnalyticsQuery = z.object({ days: AnalyticsQuery.shape.days });

const VideoId = z.object({ id: z.string().uuid('not a video id') });
const Slug = z.object({ slug: z.string().min(1).max(60) });

export const discoveryRoutes = {
  search: route({
    method: 'GET',
    path: '/api/search',
    summary: 'Search videos (caption, hashtags, sound title), people, hashtags and sounds',
    tags: ['discovery'],
    auth: false,
    query: SearchQuery,
    response: SearchResult,
  }),
  searchSuggest: route({
    method: 'GET',
    path: '/api/search/suggest',
    summary: 'Suggestions as you type (hashtags, people and sounds)',
    tags: ['discovery'],
    auth: false,
    query: SuggestQuery,
    response: Suggestions,
  }),
  discover: route({
    method: 'GET',
    path: '/api/discover',
    summary: 'Trending hashtags with top videos, trending sounds, suggested creators, featured challenges',
    tags: ['discovery'],
    auth: false,
    response: Discover,
  }),
  hashtag: route({
    method: 'GET',
    path: '/api/hashtags/:tag',
    summary: 'A hashtag page',
    tags: ['discovery'],
    auth: false,
    params: z.object({ tag: HashtagName }),
    response: HashtagPage,
  }),
  hashtagVideos: route({
    method: 'GET',
    path: '/api/hashtags/:tag/videos',
    summary: "A hashtag's videos (top or newest)",
    tags: ['discovery'],
    auth: false,
    params: z.object({ tag: HashtagName }),
    query: HashtagVideosQuery,
    response: VideoList,
  }),
  challenges: route({
    method: 'GET',
    path: '/api/challenges',
    summary: 'Featured and active challenges',
    tags: ['discovery'],
    auth: false,
    response: ChallengeList,
  }),
  challenge: route({
    method: 'GET',
    path: '/api/challenges/:slug',
    summary: 'A challenge with its leaderboard',
    tags: ['discovery'],
    auth: false,
    params: Slug,
    response: Leaderboard,
  }),
  createChallenge: route({
    method: 'POST',
    path: '/api/challenges',
    summary: 'Create a challenge (staff)',
    tags: ['discovery'],
    auth: true,
    body: ChallengeCreate,
    response: Challenge,
    status: 201,
  }),
  updateChallenge: route({
    method: 'PATCH',
    path: '/api/challenges/:slug',
    summary: 'Edit or feature a challenge (staff)',
    tags: ['discovery'],
    auth: true,
    params: Slug,
    body: ChallengeUpdate,
    response: Challenge,
  }),
  uploadChallengeBanner: route({
    method: 'POST',
    path: '/api/challenges/:slug/banner',
    summary: 'Upload a challenge banner image (staff; multipart field `file`)',
    tags: ['discovery'],
    auth: true,
    params: Slug,
    multipart: true,
    response: Challenge,
  }),
  deleteChallenge: route({
    method: 'DELETE',
    path: '/api/challenges/:slug',
    summary: 'Delete a challenge (staff)',
    tags: ['discovery'],
    auth: true,
    params: Slug,
    response: Ok,
  }),
  shareInfo: route({
    method: 'GET',
    path: '/api/videos/:id/share',
    summary: 'Share link (with attribution), embed code and share count',
    tags: ['share'],
    auth: false,
    params: VideoId,
    response: ShareInfo,
  }),
  shareVideo: route({
    method: 'POST',
    path: '/api/videos/:id/share',
    summary: 'Count a share (copy link, share sheet, QR, embed)',
    tags: ['share'],
    auth: false,
    params: VideoId,
    body: ShareBody,
    response: ShareInfo,
  }),
  oembed: route({
    method: 'GET',
    path: '/api/oembed',
    summary: 'oEmbed (JSON) for a video page URL',
    tags: ['share'],
    auth: false,
    query: OembedQuery,
    response: Oembed,
  }),
  analytics: route({
    method: 'GET',
    path: '/api/analytics',
    summary: "Creator analytics over my videos (staff: any creator's with ?user=)",
    tags: ['analytics'],
    auth: true,
    query: AnalyticsQuery,
    response: Analytics,
  }),
  videoAnalytics: route({
    method: 'GET',
    path: '/api/analytics/videos/:id',
    summary: "One video's analytics (its creator or staff)",
    tags: ['analytics'],
    auth: true,
    params: VideoId,
    query: VideoAnalyticsQuery,
    response: Analytics,
  }),
} as const;
