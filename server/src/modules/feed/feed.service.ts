import crypto from 'node:crypto';
import type { FeedItem, FeedPage, Video } from '@flick/contracts';
import type { Logger } from 'pino';
import type { Database } from '../../platform/db/db.ts';
import type { Clock } from '../../platform/clock.ts';
import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';
import type { ClientInfo } from '../../http/client.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { VideosRepo } from '../videos/videos.repo.ts';
import type { VideosService } from '../videos/videos.service.ts';
import { rankBaseline, type Ranked } from './baseline.ts';
import type { RecsysService } from '../recsys/recsys.service.ts';

type ForYouCursor = { s: string; n: number };
const isForYouCursor = (v: unknown): v is ForYouCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as ForYouCursor).s === 'string' &&
  /^[A-Za-z0-9_-]{16,64}$/.test((v as ForYouCursor).s) &&
  Number.isInteger((v as ForYouCursor).n);

export type FeedOptions = {
  snapshotTtlMs: number;
  candidateLimit: number;
  hydrateTtlMs: number;
  /** Every Nth position of a feed session is an ad slot (never the first, never two in a row); 0 = no ads. */
  adEvery: number;
};

/**
 * The ad server's side of an ad slot: a sponsored item for this viewer at this position of the
 * session, or null (no eligible ad: the slot goes to organic content). `exclude` is what the
 * session has shown or is about to show.
 */
export type AdSlotFiller = (req: {
  viewer: SessionUser | undefined;
  session: string;
  position: number;
  exclude: ReadonlySet<string>;
  client?: ClientInfo;
}) => Promise<FeedItem | null>;

/**
 * Feed pipeline: candidates (a ranked snapshot shared by all requests) → filter (already served
 * in this feed session, visibility) → hydrate (short-lived cache of video views) → present.
 */
export function createFeedService(deps: {
  db: Database;
  clock: Clock;
  videosRepo: VideosRepo;
  videos: VideosService;
  recsys?: RecsysService;
  options?: Partial<FeedOptions>;
  /** Fills the ad slots of For You (the ads module); without it every slot is organic. */
  adSlots?: AdSlotFiller;
  log?: Logger;
  /** Visibility hook: of these creators, whose videos this viewer must not see (blocks, mutes, private accounts). */
  hiddenAuthors?: (viewerId: string | undefined, authorIds: string[]) => Promise<ReadonlySet<string>>;
  /** Whom a viewer follows (the social module's per-viewer cache); without it the recommender reads it per page. */
  followeesOf?: (viewerId: string) => Promise<Iterable<string>>;
}) {
  const { db, clock, videosRepo, videos, recsys } = deps;
  // The snapshot is re-ranked at once when a video is published or removed (invalidate), so the TTL
  // only ages view counts; rebuilding it stalls PGlite's single thread, so not too often.
  const opts: FeedOptions = { snapshotTtlMs: 30_000, candidateLimit: 2000, hydrateTtlMs: 30_000, adEvery: 8, ...deps.options };
  if (opts.adEvery !== 0 && !(Number.isInteger(opts.adEvery) && opts.adEvery >= 3)) throw new Error('feed adEvery must be 0 (no ads) or an integer ≥ 3');

  let snapshot: { at: number; ranked: Ranked[] } | undefined;
  let refreshing: Promise<Ranked[]> | undefined;

  async function loadSnapshot(): Promise<Ranked[]> {
    const rows = await db
      .selectFrom('videos')
      .select(['id', 'user_id', 'view_count', 'like_count', 'published_at'])
      .where('status', '=', 'ready')
      .where('visibility', '=', 'public')
      .orderBy('published_at', 'desc')
      .limit(opts.candidateLimit)
      .execute();
    const now = clock.now();
    return rankBaseline(
      rows.map((r) => ({ id: r.id, userId: r.user_id, views: r.view_count, likes: r.like_count, publishedAt: r.published_at ?? now })),
      now,
    );
  }

  /**
   * Serve the current snapshot and refresh it in the background once stale (one refresh at a time);
   * wait for the refresh only when there is nothing to serve or the snapshot is far too old.
   */
  async function ranked(): Promise<Ranked[]> {
    const age = snapshot ? Date.now() - snapshot.at : Infinity;
    if (age > opts.snapshotTtlMs && !refreshing) {
      refreshing = loadSnapshot()
        .then((r) => {
          snapshot = { at: Date.now(), ranked: r };
          return r;
        })
        .finally(() => {
          refreshing = undefined;
        });
    }
    if (snapshot && snapshot.ranked.length > 0 && age < opts.snapshotTtlMs * 4) return snapshot.ranked;
    return refreshing ?? snapshot!.ranked;
  }

  const servedLog = createServedLog(db);

  /**
   * Video views by id, cache first: an entry younger than hydrateTtlMs is served as is; one up to twice
   * that old is served too and re-read in the background (one query for all of them, at most one in
   * flight), so a page waits for PGlite only for videos it has never seen. Changes made in this process
   * drop the entry at once (invalidate); other processes' changes show within 2 × TTL. Least recently
   * refreshed entries are dropped past HYDRATE_MAX.
   */
  const HYDRATE_MAX = 100_000;
  const hydrated = new Map<string, { at: number; dto: Video }>();
  const stale = new Set<string>();
  let revalidating: Promise<void> | undefined;
  const remember = (dto: Video, at: number) => {
    hydrated.delete(dto.id);
    hydrated.set(dto.id, { at, dto });
    while (hydrated.size > HYDRATE_MAX) hydrated.delete(hydrated.keys().next().value!);
  };
  function revalidate() {
    if (revalidating || !stale.size) return;
    const ids = [...stale].slice(0, 500);
    for (const id of ids) stale.delete(id);
    revalidating = (async () => {
      const at = Date.now();
      const rows = await videosRepo.byIds(ids);
      const found = new Set<string>();
      for (const row of rows) {
        found.add(row.id);
        if (hydrated.has(row.id)) remember(videos.toDto(row), at);
      }
      for (const id of ids) if (!found.has(id)) hydrated.delete(id); // gone: the next page reads it again (and finds nothing)
    })()
      .catch((err: unknown) => deps.log?.warn({ err }, 'feed: refreshing cached videos failed'))
      .finally(() => {
        revalidating = undefined;
        if (stale.size) setTimeout(revalidate, 50).unref();
      });
  }
  async function hydrate(ids: string[]): Promise<Map<string, Video>> {
    const now = Date.now();
    const out = new Map<string, Video>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = hydrated.get(id);
      const age = hit ? now - hit.at : Infinity;
      if (hit && age < opts.hydrateTtlMs) out.set(id, hit.dto);
      else if (hit && age < 2 * opts.hydrateTtlMs) {
        out.set(id, hit.dto);
        stale.add(id);
      } else missing.push(id);
    }
    if (stale.size) revalidate();
    if (missing.length)
      for (const row of await videosRepo.byIds(missing)) {
        const dto = videos.toDto(row);
        out.set(row.id, dto);
        remember(dto, now);
      }
    return out;
  }

  /** Put sponsored items into the ad slots this page covers; an ad server failure never breaks the feed. */
  async function fillAdSlots(
    filler: AdSlotFiller,
    items: FeedItem[],
    limit: number,
    s: { viewer: SessionUser | undefined; session: string; shownBefore: number; served: ReadonlySet<string>; client?: ClientInfo },
  ) {
    for (let i = 0; i < items.length; i++) {
      const position = s.shownBefore + i;
      if (position === 0 || (position + 1) % opts.adEvery !== 0) continue;
      const exclude = new Set([...s.served, ...items.map((it) => it.video.id)]);
      let ad: FeedItem | null = null;
      try {
        ad = await filler({ viewer: s.viewer, session: s.session, position, exclude, client: s.client });
      } catch (err) {
        deps.log?.warn({ err }, 'ad slot left organic: the ad server failed');
      }
      if (!ad || exclude.has(ad.video.id)) continue;
      items.splice(i, 0, ad);
      // The organic item pushed off the page was not shown: it stays a candidate for the next page.
      if (items.length > limit) items.length = limit;
    }
  }

  return {
    /** A video changed (published, edited, removed): drop it from the caches now and re-rank soon. */
    invalidate(videoId: string) {
      hydrated.delete(videoId);
      if (snapshot) snapshot = { at: 0, ranked: snapshot.ranked.filter((r) => r.id !== videoId) };
    },
    /**
     * For You: the recommender's page (personal mode), or the non-personalised popular/fresh
     * baseline (popular mode, and whenever the recommender has no catalogue yet).
     */
    async forYou(
      viewer: SessionUser | undefined,
      limit: number,
      cursor?: string,
      mode: 'personal' | 'popular' = 'personal',
      client?: ClientInfo,
    ): Promise<FeedPage> {
      const c = decodeCursor(cursor, isForYouCursor);
      const session = c?.s ?? crypto.randomBytes(12).toString('base64url');
      const served = c ? new Set(await servedLog.of(session)) : new Set<string>();
      const shownBefore = served.size;
      const items: FeedPage['items'] = [];
      let hidden: ReadonlySet<string> = new Set();
      const hideAuthors = async (dtos: Map<string, Video>) => {
        if (deps.hiddenAuthors)
          hidden = await deps.hiddenAuthors(
            viewer?.id,
            [...dtos.values()].map((v) => v.author.id),
          );
      };
      const visible = (v: Video | undefined): v is Video => !!v && v.status === 'ready' && v.visibility === 'public' && !hidden.has(v.author.id);
      if (mode === 'personal' && recsys && recsys.engine.size > 0) {
        if (viewer) {
          if (deps.followeesOf) recsys.engine.setFollows(viewer.id, await deps.followeesOf(viewer.id));
          else await recsys.followsOf(viewer.id);
        }
        // The recommender does not know blocks, mutes or private accounts: what the hook hides is
        // dropped after ranking, and the page is topped up (a few rounds) so it stays full and the
        // session does not end early when a hidden creator held several of the top places.
        const skip = new Set(served);
        const now = clock.now().getTime();
        for (let round = 0; round < 4 && items.length < limit; round++) {
          const recs = recsys.engine.recommend(viewer?.id, limit - items.length + 2, skip, now, (c?.n ?? 0) * limit + items.length);
          if (!recs.length) break;
          const dtos = await hydrate(recs.map((r) => r.videoId));
          await hideAuthors(dtos);
          for (const r of recs) {
            skip.add(r.videoId);
            const v = dtos.get(r.videoId);
            if (visible(v) && items.length < limit) items.push({ video: v, reason: r.explore ? 'explore' : r.sources.join('+'), why: r.why });
          }
        }
      } else {
        const list = await ranked();
        // Over-fetch a little: a video may have been deleted or hidden since the snapshot.
        for (let i = 0; i < list.length && items.length < limit;) {
          const batch: Ranked[] = [];
          for (; i < list.length && batch.length < limit - items.length + 2; i++) if (!served.has(list[i]!.id)) batch.push(list[i]!);
          const dtos = await hydrate(batch.map((b) => b.id));
          await hideAuthors(dtos);
          for (const b of batch) {
            const v = dtos.get(b.id);
            if (visible(v) && items.length < limit)
              items.push({ video: v, reason: b.reason, why: [b.reason === 'baseline:fresh' ? 'Posted recently' : 'Popular right now'] });
            served.add(b.id);
          }
        }
      }
      if (deps.adSlots && opts.adEvery) await fillAdSlots(deps.adSlots, items, limit, { viewer, session, shownBefore, served, client });
      if (items.length)
        servedLog.add(
          session,
          items.map((it) => it.video.id),
        );
      return { items, nextCursor: items.length === limit ? encodeCursor({ s: session, n: (c?.n ?? 0) + 1 }) : null };
    },
    async following(viewer: SessionUser, limit: number, cursor?: string): Promise<FeedPage> {
      const { rows, nextCursor } = await videosRepo.page('published_at', limit, cursor, (q) =>
        q
          .where('videos.user_id', 'in', (eb) => eb.selectFrom('follows').select('followee_id').where('follower_id', '=', viewer.id))
          .where('videos.status', '=', 'ready')
          .where('videos.visibility', 'in', ['public', 'followers']),
      );
      const hidden = deps.hiddenAuthors
        ? await deps.hiddenAuthors(
            viewer.id,
            rows.map((r) => r.user_id),
          )
        : new Set<string>();
      return {
        items: rows.filter((r) => !hidden.has(r.user_id)).map((r) => ({ video: videos.toDto(r), reason: 'following', why: ['From a creator you follow'] })),
        nextCursor,
      };
    },
    /** Write what is still buffered (on shutdown). */
    flush: () => servedLog.flush(),
    async prune(olderThanHours = 24) {
      await db
        .deleteFrom('feed_served')
        .where('served_at', '<', new Date(clock.now().getTime() - olderThanHours * 3_600_000))
        .execute();
    },
  };
}
export type FeedService = ReturnType<typeof createFeedService>;

/**
 * What each feed session was already shown. This process's sessions are answered from memory and
 * written in one batched INSERT every FLUSH_MS (one statement instead of one per page: on PGlite
 * every statement holds the only thread); the table serves a session that continues on another
 * API process, and the hourly prune keeps it small.
 */
const FLUSH_MS = 100;
const CHUNK = 200;
const MAX_SESSIONS = 50_000;
function createServedLog(db: Database) {
  const recent = new Map<string, Set<string>>();
  let pending: { session_id: string; video_id: string }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const rows = pending;
    pending = [];
    if (rows.length)
      // A failed write only loses cross-process dedup for those rows; it must not block later ones.
      writing = writing
        .catch(() => undefined)
        .then(async () => {
          // In statements of CHUNK rows with a turn of the event loop between them: on PGlite each statement
          // holds the API's only thread (a 500-row insert blocked it for 8–11 ms), so requests get in between.
          for (let i = 0; i < rows.length; i += CHUNK) {
            if (i) await new Promise<void>((r) => setImmediate(r));
            await db
              .insertInto('feed_served')
              .values(rows.slice(i, i + CHUNK))
              .onConflict((oc) => oc.doNothing())
              .execute();
          }
        });
    return writing;
  }

  return {
    async of(session: string): Promise<Iterable<string>> {
      const mine = recent.get(session);
      if (mine) return mine;
      const rows = await db.selectFrom('feed_served').select('video_id').where('session_id', '=', session).execute();
      // A session that started on another process continues here: remember what it was shown.
      const ids = new Set(rows.map((r) => r.video_id));
      if (ids.size) recent.set(session, ids);
      return ids;
    },
    add(session: string, videoIds: string[]) {
      let mine = recent.get(session);
      if (mine)
        recent.delete(session); // re-insert: the Map's order is least recently used first
      else mine = new Set();
      for (const id of videoIds) {
        mine.add(id);
        pending.push({ session_id: session, video_id: id });
      }
      recent.set(session, mine);
      if (recent.size > MAX_SESSIONS) recent.delete(recent.keys().next().value!);
      timer ??= setTimeout(() => void flush().catch(() => undefined), FLUSH_MS);
    },
    flush,
  };
}
