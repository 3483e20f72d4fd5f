import crypto from 'node:crypto';
import sharp from 'sharp';
import { sql } from 'kysely';
import type {
  Challenge,
  ChallengeCreate,
  ChallengeUpdate,
  Discover,
  HashtagHit,
  Leaderboard,
  SearchResult,
  Sound,
  SoundHit,
  Suggestions,
  TrendingSound,
  UserHit,
  Video,
} from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { Clock } from '../../platform/clock.ts';
import { badRequest, conflict, forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { VideosRepo } from '../videos/videos.repo.ts';
import type { VideosService } from '../videos/videos.service.ts';
import type { SoundsService } from '../sounds/sounds.service.ts';
import { authorVisible, isStaff, userNotBlocked } from './visibility.ts';
import { handle, likeEscape, terms, tsQuery } from './search-text.ts';
import { computeTrending, computeTrendingSounds, type SoundTrendRow, type TrendRow } from './trends.ts';

type SoundRow = Parameters<SoundsService['toDto']>[0];

type ChallengeRow = {
  id: string;
  slug: string;
  hashtag: string;
  title: string;
  description: string;
  rules: string;
  banner_key: string | null;
  starts_at: Date;
  ends_at: Date;
  featured: boolean;
  sponsor: string | null;
};

/** How many of the newest matches of a search are ranked (see searchVideos). */
const SEARCH_CANDIDATES = 300;
/**
 * ts_rank weights {D, C, B, A}: a video's caption is weight D, the titles of the sounds it uses C
 * (migration 0013), so a caption match counts twice a sound-title match.
 */
const RANK_WEIGHTS = '{1.0, 0.5, 0.4, 1.0}';
/** Trends are recomputed at most this often per process (they read two days of the event log). */
const TRENDS_TTL_MS = 60_000;

export function createDiscoveryService(deps: {
  db: Database;
  blob: BlobStore;
  clock: Clock;
  videosRepo: VideosRepo;
  videos: VideosService;
  /** The sounds module's view of a sound (search results and trending sounds are shown as it shows them). */
  soundDto: SoundsService['toDto'];
}) {
  const { db, blob, clock, videosRepo, videos, soundDto } = deps;
  let trendCache: { at: number; rows: TrendRow[] } | undefined;
  let soundTrendCache: { at: number; rows: SoundTrendRow[] } | undefined;

  async function hydrate(ids: string[]): Promise<Video[]> {
    const rows = await videosRepo.byIds(ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [videos.toDto(r)] : [];
    });
  }

  const userSummary = (u: { id: string; username: string; display_name: string; avatar_key: string | null }) => ({
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    avatarUrl: u.avatar_key ? blob.url(u.avatar_key) : null,
  });

  function userHitsQuery(viewer: SessionUser | undefined) {
    return db
      .selectFrom('users as u')
      .select(['u.id', 'u.username', 'u.display_name', 'u.avatar_key'])
      .select((eb) => [
        eb
          .selectFrom('follows')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('follows.followee_id', '=', 'u.id')
          .as('followers'),
        eb
          .selectFrom('videos')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('videos.user_id', '=', 'u.id')
          .where('videos.status', '=', 'ready')
          .where('videos.visibility', '=', 'public')
          .as('videos'),
      ])
      .where(userNotBlocked('u.id', viewer?.id));
  }
  const toUserHit = (r: {
    id: string;
    username: string;
    display_name: string;
    avatar_key: string | null;
    followers: string | null;
    videos: string | null;
  }): UserHit => ({
    ...userSummary(r),
    followers: Number(r.followers ?? 0),
    videos: Number(r.videos ?? 0),
  });

  /** For each term: itself when some caption or hashtag has it (or, for the last term, starts with it), else the closest known word. */
  async function correct(words: string[]): Promise<{ alternatives: string[][]; corrected: string | null }> {
    const alternatives: string[][] = [];
    let changed = false;
    const out: string[] = [];
    for (const [i, w] of words.entries()) {
      const last = i === words.length - 1;
      const known = await db
        .selectFrom('search_words')
        .select('word')
        .where((eb) => (last ? eb('word', 'like', `${likeEscape(w)}%`) : eb('word', '=', w)))
        .limit(1)
        .executeTakeFirst();
      if (known || w.length < 3 || /^\d+$/.test(w)) {
        alternatives.push([w]);
        out.push(w);
        continue;
      }
      const close = await sql<{ word: string }>`SELECT word FROM search_words WHERE word % ${w}
        ORDER BY similarity(word, ${w}) DESC, docs DESC LIMIT 1`.execute(db);
      const best = close.rows[0]?.word;
      if (best) {
        alternatives.push([w, best]);
        out.push(best);
        changed = true;
      } else {
        alternatives.push([w]);
        out.push(w);
      }
    }
    return { alternatives, corrected: changed ? out.join(' ') : null };
  }

  async function searchVideos(query: string, viewer: SessionUser | undefined, limit: number): Promise<string[]> {
    // Relevance (ts_rank) weighted by popularity (log of views and likes), so a close match from a popular video wins ties.
    // A very common word matches tens of thousands of videos: rank the newest CANDIDATES of them (short video is
    // about what is current), so the cost stays bounded however popular the word is.
    const rows = await sql<{ video_id: string }>`
      WITH cand AS (
        SELECT s.video_id FROM video_search s
        WHERE s.searchable AND s.tsv @@ to_tsquery('simple', ${query})
        ORDER BY s.published_at DESC NULLS LAST
        LIMIT ${SEARCH_CANDIDATES}
      )
      SELECT c.video_id
      FROM cand c JOIN video_search s ON s.video_id = c.video_id JOIN videos v ON v.id = c.video_id
      WHERE ${authorVisible('s.user_id', viewer?.id)}
      ORDER BY ts_rank(${RANK_WEIGHTS}::float4[], s.tsv, to_tsquery('simple', ${query})) * (1 + ln(1 + v.view_count + 4 * v.like_count)) DESC, v.published_at DESC
      LIMIT ${limit}`.execute(db);
    return rows.rows.map((r) => r.video_id);
  }

  async function searchUsers(h: string, viewer: SessionUser | undefined, limit: number): Promise<UserHit[]> {
    if (!h) return [];
    // Pick the best matches on the bare users table, then count followers and videos for those few only.
    const best = await db
      .selectFrom('users as u')
      .select('u.id')
      .where(userNotBlocked('u.id', viewer?.id))
      .where((eb) =>
        eb.or([
          eb(sql`lower(u.username)`, 'like', `${likeEscape(h)}%`),
          sql<boolean>`lower(u.username) % ${h}`,
          sql<boolean>`lower(u.display_name) % ${h}`,
          eb(sql`lower(u.display_name)`, 'like', `%${likeEscape(h)}%`),
        ]),
      )
      .orderBy(sql`(lower(u.username) = ${h})`, 'desc')
      .orderBy(sql`greatest(similarity(lower(u.username), ${h}), similarity(lower(u.display_name), ${h}))`, 'desc')
      .limit(limit)
      .execute();
    if (best.length === 0) return [];
    const order = new Map(best.map((r, i) => [r.id, i]));
    const rows = await userHitsQuery(viewer)
      .where(
        'u.id',
        'in',
        best.map((r) => r.id),
      )
      .execute();
    return rows
      .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
      .map(toUserHit)
      .sort((a, b) => Number(b.username.toLowerCase() === h) - Number(a.username.toLowerCase() === h));
  }

  async function searchHashtags(h: string, limit: number): Promise<HashtagHit[]> {
    const tag = h.replace(/\./g, '');
    if (!tag) return [];
    const rows = await sql<{ tag: string; videos: number }>`
      SELECT tag, videos FROM hashtags
      WHERE videos > 0 AND (tag LIKE ${`${likeEscape(tag)}%`} OR tag % ${tag})
      ORDER BY (tag = ${tag}) DESC, similarity(tag, ${tag}) + 0.05 * ln(1 + videos) DESC
      LIMIT ${limit}`.execute(db);
    return rows.rows.map((r) => ({ tag: r.tag, videos: Number(r.videos) }));
  }

  /**
   * Library sounds the viewer may see: enabled and listed, from an author visible to them (no private
   * account they do not follow, no block either way), and — for a sound made from a video's audio —
   * only while that video is public and ready.
   */
  function soundsVisible(viewer: SessionUser | undefined) {
    return sql<boolean>`s.enabled AND s.listed AND ${authorVisible('s.owner_id', viewer?.id)}
      AND (s.video_id IS NULL OR EXISTS (SELECT 1 FROM videos sv WHERE sv.id = s.video_id AND sv.status = 'ready' AND sv.visibility = 'public'))`;
  }
  const soundUses = sql`(SELECT count(*) FROM sound_uses su WHERE su.sound_id = s.id)`;
  const soundSelect = sql`SELECT s.id, s.owner_id, u.username, s.video_id, s.title, s.audio_key, s.duration_ms, s.enabled, s.listed,
      s.original_sound_id, s.created_at, ${soundUses}::int AS use_count
    FROM sounds s JOIN users u ON u.id = s.owner_id`;

  /**
   * Sounds whose title has the words (as a substring, or a close spelling of a word — `corrected` is the
   * query with misspelt words replaced, see correct()), the closest and most used first.
   */
  async function searchSounds(words: string[], corrected: string | null, viewer: SessionUser | undefined, limit: number): Promise<Sound[]> {
    const q = words.join(' ');
    if (!q) return [];
    const alt = corrected ?? q;
    const { rows } = await sql<SoundRow>`${soundSelect}
      WHERE (lower(s.title) LIKE ${`%${likeEscape(q)}%`} OR ${q} <% lower(s.title) OR lower(s.title) LIKE ${`%${likeEscape(alt)}%`})
        AND ${soundsVisible(viewer)}
      ORDER BY (lower(s.title) LIKE ${`${likeEscape(q)}%`}) DESC, word_similarity(${q}, lower(s.title)) + 0.05 * ln(1 + ${soundUses}) DESC, s.created_at DESC
      LIMIT ${limit}`.execute(db);
    return rows.map(soundDto);
  }

  /** Sound suggestions: titles starting with the text (or, from 3 characters, containing it), most used first. */
  async function suggestSounds(words: string[], viewer: SessionUser | undefined): Promise<SoundHit[]> {
    const q = words.join(' ');
    if (!q) return [];
    const e = likeEscape(q);
    const match = q.length >= 3 ? sql`lower(s.title) LIKE ${`%${e}%`}` : sql`lower(s.title) LIKE ${`${e}%`}`;
    const { rows } = await sql<{ id: string; title: string; username: string; use_count: number }>`
      SELECT s.id, s.title, u.username, ${soundUses}::int AS use_count FROM sounds s JOIN users u ON u.id = s.owner_id
      WHERE ${match} AND ${soundsVisible(viewer)}
      ORDER BY use_count DESC, length(s.title), s.id
      LIMIT 5`.execute(db);
    return rows.map((r) => ({ id: r.id, title: r.title, username: r.username, useCount: Number(r.use_count) }));
  }

  async function trendingSounds(viewer: SessionUser | undefined, limit: number): Promise<TrendingSound[]> {
    const now = clock.now();
    if (!soundTrendCache || now.getTime() - soundTrendCache.at > TRENDS_TTL_MS || now.getTime() < soundTrendCache.at) {
      soundTrendCache = { at: now.getTime(), rows: await computeTrendingSounds(db, now) };
    }
    const trends = soundTrendCache.rows;
    if (!trends.length) return [];
    const { rows } = await sql<SoundRow>`${soundSelect}
      WHERE s.id = ANY(${trends.map((t) => t.soundId)}::uuid[]) AND ${soundsVisible(viewer)}`.execute(db);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return trends
      .filter((t) => byId.has(t.soundId))
      .slice(0, limit)
      .map((t) => ({ sound: soundDto(byId.get(t.soundId)!), score: t.score, people: t.people, videos: t.videos }));
  }

  function challengeStatus(c: ChallengeRow): Challenge['status'] {
    const now = clock.now().getTime();
    return now < c.starts_at.getTime() ? 'upcoming' : now >= c.ends_at.getTime() ? 'ended' : 'active';
  }

  async function toChallenge(c: ChallengeRow): Promise<Challenge> {
    const p = await db
      .selectFrom('videos')
      .innerJoin('video_hashtags', 'video_hashtags.video_id', 'videos.id')
      .select((eb) => eb.fn.count<string>('videos.user_id').distinct().as('n'))
      .where('video_hashtags.tag', '=', c.hashtag)
      .where('videos.status', '=', 'ready')
      .where('videos.visibility', '=', 'public')
      .where('videos.published_at', '>=', c.starts_at)
      .where('videos.published_at', '<', c.ends_at)
      .where(authorVisible('videos.user_id', undefined))
      .executeTakeFirstOrThrow();
    return {
      id: c.id,
      slug: c.slug,
      hashtag: c.hashtag,
      title: c.title,
      description: c.description,
      rules: c.rules,
      bannerUrl: c.banner_key ? blob.url(c.banner_key) : null,
      startsAt: c.starts_at.toISOString(),
      endsAt: c.ends_at.toISOString(),
      featured: c.featured,
      sponsor: c.sponsor,
      status: challengeStatus(c),
      participants: Number(p.n),
    };
  }

  const challengeBase = () =>
    db.selectFrom('challenges').select(['id', 'slug', 'hashtag', 'title', 'description', 'rules', 'banner_key', 'starts_at', 'ends_at', 'featured', 'sponsor']);

  async function challengeOr404(slug: string): Promise<ChallengeRow> {
    const c = await challengeBase().where('slug', '=', slug.toLowerCase()).executeTakeFirst();
    if (!c) throw notFound('challenge');
    return c;
  }

  function requireStaff(user: SessionUser) {
    if (!isStaff(user.roles)) throw forbidden('only staff (admins and moderators) can manage challenges');
  }

  async function listChallenges(): Promise<Challenge[]> {
    const now = clock.now();
    // Featured first, then running ones, then upcoming; ended ones drop off after a week.
    const rows = await challengeBase()
      .where('ends_at', '>', new Date(now.getTime() - 7 * 24 * 3600 * 1000))
      .orderBy('featured', 'desc')
      .orderBy('ends_at', 'asc')
      .limit(20)
      .execute();
    const list = await Promise.all(rows.map(toChallenge));
    const order = { active: 0, upcoming: 1, ended: 2 } as const;
    return list.sort((a, b) => Number(b.featured) - Number(a.featured) || order[a.status] - order[b.status]);
  }

  async function trending(): Promise<TrendRow[]> {
    const now = clock.now();
    if (!trendCache || now.getTime() - trendCache.at > TRENDS_TTL_MS || now.getTime() < trendCache.at) {
      trendCache = { at: now.getTime(), rows: await computeTrending(db, now) };
    }
    return trendCache.rows;
  }

  /** Top public videos of a tag visible to the viewer: most liked/viewed in the last 30 days, else ever. */
  async function topVideoIds(tag: string, viewer: SessionUser | undefined, limit: number, offset = 0, sort: 'top' | 'new' = 'top') {
    let q = db
      .selectFrom('video_hashtags as vh')
      .innerJoin('videos as v', 'v.id', 'vh.video_id')
      .select('v.id')
      .where('vh.tag', '=', tag)
      .where('v.status', '=', 'ready')
      .where('v.visibility', '=', 'public')
      .where(authorVisible('v.user_id', viewer?.id));
    q =
      sort === 'top'
        ? q.orderBy(sql`ln(1 + v.view_count + 4 * v.like_count) - extract(epoch from (${clock.now()}::timestamptz - v.published_at)) / (30 * 86400.0)`, 'desc')
        : q.orderBy('v.published_at', 'desc');
    const rows = await q.orderBy('v.id', 'desc').limit(limit).offset(offset).execute();
    return rows.map((r) => r.id);
  }

  return {
    invalidateTrends() {
      trendCache = undefined;
      soundTrendCache = undefined;
    },

    async search(q: string, type: 'all' | 'videos' | 'users' | 'hashtags' | 'sounds', limit: number, viewer: SessionUser | undefined): Promise<SearchResult> {
      const words = terms(q);
      const h = handle(q);
      const result: SearchResult = { query: q, corrected: null, videos: [], users: [], hashtags: [], sounds: [] };
      if (words.length === 0 && !h) return result;
      const wantVideos = type === 'all' || type === 'videos';
      const wantSounds = type === 'all' || type === 'sounds';
      if ((wantVideos || wantSounds) && words.length) {
        const { alternatives, corrected } = await correct(words);
        result.corrected = corrected;
        if (wantVideos) result.videos = await hydrate(await searchVideos(tsQuery(alternatives), viewer, limit));
        if (wantSounds) result.sounds = await searchSounds(words, corrected, viewer, type === 'all' ? Math.min(limit, 8) : limit);
      }
      if (type === 'all' || type === 'users') result.users = await searchUsers(h, viewer, type === 'all' ? Math.min(limit, 8) : limit);
      if (type === 'all' || type === 'hashtags') result.hashtags = await searchHashtags(h, type === 'all' ? Math.min(limit, 8) : limit);
      return result;
    },

    async suggest(q: string, viewer: SessionUser | undefined): Promise<Suggestions> {
      const h = handle(q);
      const sounds = await suggestSounds(terms(q), viewer);
      if (!h) return { hashtags: [], users: [], sounds };
      const tag = h.replace(/\./g, '');
      const hashtags = tag
        ? (
            await db
              .selectFrom('hashtags')
              .select(['tag', 'videos'])
              .where('tag', 'like', `${likeEscape(tag)}%`)
              .where('videos', '>', 0)
              .orderBy('videos', 'desc')
              .orderBy('tag')
              .limit(5)
              .execute()
          ).map((r) => ({ tag: r.tag, videos: Number(r.videos) }))
        : [];
      const users = (
        await userHitsQuery(viewer)
          .where(sql`lower(u.username)`, 'like', `${likeEscape(h)}%`)
          .orderBy(sql`length(u.username)`)
          .orderBy('u.username')
          .limit(5)
          .execute()
      ).map((r) => userSummary(r));
      // Nothing starts with it: fall back to close spellings.
      if (hashtags.length === 0 && users.length === 0 && sounds.length === 0 && h.length >= 3) {
        return {
          hashtags: await searchHashtags(h, 5),
          users: (await searchUsers(h, viewer, 5)).map(({ id, username, displayName, avatarUrl }) => ({ id, username, displayName, avatarUrl })),
          sounds: (await searchSounds(terms(q), null, viewer, 5)).map((x) => ({ id: x.id, title: x.title, username: x.owner.username, useCount: x.useCount })),
        };
      }
      return { hashtags, users, sounds };
    },

    async discover(viewer: SessionUser | undefined): Promise<Discover> {
      const trends = (await trending()).slice(0, 8);
      const hashtags = await Promise.all(
        trends.map(async (t) => ({
          tag: t.tag,
          score: t.score,
          people: t.people,
          videos: t.videos,
          topVideos: await hydrate(await topVideoIds(t.tag, viewer, 3)),
        })),
      );
      // Suggested creators: most followed with a public video in the last 30 days, not the viewer nor people they already follow.
      let cq = userHitsQuery(viewer)
        .where(sql<boolean>`NOT u.is_private`)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('videos as cv')
              .select('cv.id')
              .whereRef('cv.user_id', '=', 'u.id')
              .where('cv.status', '=', 'ready')
              .where('cv.visibility', '=', 'public')
              .where('cv.published_at', '>', new Date(clock.now().getTime() - 30 * 24 * 3600 * 1000)),
          ),
        );
      if (viewer)
        cq = cq
          .where('u.id', '<>', viewer.id)
          .where((eb) =>
            eb.not(
              eb.exists(eb.selectFrom('follows as f').select('f.followee_id').whereRef('f.followee_id', '=', 'u.id').where('f.follower_id', '=', viewer.id)),
            ),
          );
      const creators = (await cq.orderBy('followers', 'desc').orderBy('videos', 'desc').limit(10).execute()).map(toUserHit);
      return {
        hashtags: hashtags.filter((h) => h.topVideos.length > 0),
        sounds: await trendingSounds(viewer, 8),
        creators,
        challenges: await listChallenges(),
      };
    },

    async hashtag(tag: string) {
      const row = await db.selectFrom('hashtags').select('videos').where('tag', '=', tag).executeTakeFirst();
      const c = await challengeBase().where('hashtag', '=', tag).orderBy('featured', 'desc').orderBy('ends_at', 'desc').executeTakeFirst();
      if ((!row || Number(row.videos) === 0) && !c) throw notFound('hashtag');
      return { tag, videos: Number(row?.videos ?? 0), challenge: c ? await toChallenge(c) : null };
    },

    async hashtagVideos(tag: string, sort: 'top' | 'new', limit: number, cursor: string | undefined, viewer: SessionUser | undefined) {
      const offset = cursor === undefined ? 0 : Number(cursor);
      if (!Number.isInteger(offset) || offset < 0 || offset > 10_000) throw badRequest('invalid_cursor', 'cursor is not one this API gave out');
      const ids = await topVideoIds(tag, viewer, limit + 1, offset, sort);
      return { items: await hydrate(ids.slice(0, limit)), nextCursor: ids.length > limit ? String(offset + limit) : null };
    },

    challenges: async () => ({ items: await listChallenges() }),

    async challenge(slug: string, viewer: SessionUser | undefined): Promise<Leaderboard> {
      const c = await challengeOr404(slug);
      // Leaderboard: videos posted with the hashtag during the challenge, by engagement (likes, shares and comments weigh more than views).
      const rows = await sql<{ id: string; score: number }>`
        SELECT v.id, (v.view_count + 3 * v.like_count + 5 * v.share_count + 2 * v.comment_count)::float8 AS score
        FROM video_hashtags vh JOIN videos v ON v.id = vh.video_id
        WHERE vh.tag = ${c.hashtag} AND v.status = 'ready' AND v.visibility = 'public'
          AND v.published_at >= ${c.starts_at} AND v.published_at < ${c.ends_at}
          AND ${authorVisible('v.user_id', viewer?.id)}
        ORDER BY score DESC, v.published_at ASC
        LIMIT 50`.execute(db);
      const vids = await hydrate(rows.rows.map((r) => r.id));
      const score = new Map(rows.rows.map((r) => [r.id, Number(r.score)]));
      return { challenge: await toChallenge(c), items: vids.map((video, i) => ({ rank: i + 1, score: score.get(video.id) ?? 0, video })) };
    },

    async createChallenge(user: SessionUser, body: ChallengeCreate) {
      requireStaff(user);
      const row = await db
        .insertInto('challenges')
        .values({
          id: crypto.randomUUID(),
          slug: body.slug,
          hashtag: body.hashtag,
          title: body.title,
          description: body.description ?? '',
          rules: body.rules ?? '',
          banner_key: null,
          starts_at: body.startsAt,
          ends_at: body.endsAt,
          featured: body.featured ?? false,
          sponsor: body.sponsor ?? null,
          created_by: user.id,
        })
        .onConflict((oc) => oc.column('slug').doNothing())
        .returning(['id', 'slug', 'hashtag', 'title', 'description', 'rules', 'banner_key', 'starts_at', 'ends_at', 'featured', 'sponsor'])
        .executeTakeFirst();
      if (!row) throw conflict('slug_taken', `a challenge with the slug "${body.slug}" exists`);
      return toChallenge(row);
    },

    async updateChallenge(user: SessionUser, slug: string, patch: ChallengeUpdate) {
      requireStaff(user);
      const c = await challengeOr404(slug);
      const starts = patch.startsAt ? new Date(patch.startsAt) : c.starts_at;
      const ends = patch.endsAt ? new Date(patch.endsAt) : c.ends_at;
      if (ends <= starts) throw badRequest('invalid_dates', 'endsAt must be after startsAt');
      const row = await db
        .updateTable('challenges')
        .set({
          ...(patch.title !== undefined ? { title: patch.title } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.rules !== undefined ? { rules: patch.rules } : {}),
          ...(patch.featured !== undefined ? { featured: patch.featured } : {}),
          ...(patch.sponsor !== undefined ? { sponsor: patch.sponsor } : {}),
          starts_at: starts,
          ends_at: ends,
        })
        .where('id', '=', c.id)
        .returning(['id', 'slug', 'hashtag', 'title', 'description', 'rules', 'banner_key', 'starts_at', 'ends_at', 'featured', 'sponsor'])
        .executeTakeFirstOrThrow();
      return toChallenge(row);
    },

    async setBanner(user: SessionUser, slug: string, image: Buffer) {
      requireStaff(user);
      const c = await challengeOr404(slug);
      let webp: Buffer;
      try {
        webp = await sharp(image, { limitInputPixels: 40_000_000 }).rotate().resize(1200, 400, { fit: 'cover' }).webp({ quality: 82 }).toBuffer();
      } catch {
        throw badRequest('invalid_image', 'the banner must be a JPEG, PNG, WebP, GIF or AVIF image');
      }
      const key = `challenges/${c.id}/${crypto.createHash('sha1').update(webp).digest('hex').slice(0, 16)}.webp`;
      await blob.putBuffer(key, webp, 'image/webp');
      await db.updateTable('challenges').set({ banner_key: key }).where('id', '=', c.id).execute();
      if (c.banner_key && c.banner_key !== key) await blob.delete(c.banner_key).catch(() => undefined);
      return toChallenge({ ...c, banner_key: key });
    },

    async deleteChallenge(user: SessionUser, slug: string) {
      requireStaff(user);
      const c = await challengeOr404(slug);
      await db.deleteFrom('challenges').where('id', '=', c.id).execute();
      if (c.banner_key) await blob.delete(c.banner_key).catch(() => undefined);
      return { ok: true as const };
    },
  };
}
export type DiscoveryService = ReturnType<typeof createDiscoveryService>;
