import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Collection, LikeState, SaveState, VideoEngagement, VideoList } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import { decodeCursor, encodeCursor, isTimeCursor } from '../../shared/cursor.ts';
import { badRequest, conflict, forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { VideosRepo } from '../videos/videos.repo.ts';
import type { VideosService } from '../videos/videos.service.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { videoVisibleSql, videoVisibleToSql, type SocialService } from '../social/social.service.ts';

const eventId = () => `srv-${crypto.randomUUID()}`;

/** Likes waiting for the next batch statement; at most this many go in one. */
const MAX_LIKE_BATCH = 256;
type LikeRequest = { userId: string; videoId: string; feed: string | null; done: (r: { found: boolean; likes: number }) => void; fail: (err: unknown) => void };
type LikeRow = { i: number; found: boolean; likes: number | null; notes: { user_id: string; seq: number }[] | null };

/**
 * Likes, saves, collections and the counters on videos. Every write is one statement (a
 * CTE): the source row, the counter and the recommender's event change together or not at all, and
 * a repeated or concurrent like hits the primary key and counts once. `reconcile()` recomputes the
 * counters from the source rows (the hourly job, and what a benchmark calls to check convergence).
 *
 * Likes are the hottest write, so they are group-committed: likes that arrive while the previous
 * batch is running wait for the next one, and each batch is ONE statement for all of them — the
 * visibility check, the rows, the counters, the events and the notifications (PGlite has one
 * connection, and a statement's fixed cost dominates a like). Each caller still gets its answer
 * only after its like is committed.
 */
export function createEngagementService(deps: {
  db: Database;
  social: SocialService;
  notifications: NotificationsService;
  videosRepo: VideosRepo;
  videos: VideosService;
}) {
  const { db, notifications, videosRepo, videos } = deps;

  const likeQueue: LikeRequest[] = [];
  let likeBusy = false;
  let likeScheduled = false;

  /** One statement for a batch of likes: answers, per request (by index), whether the video was visible and its like count after. */
  async function likeBatch(batch: LikeRequest[]): Promise<LikeRow[]> {
    const { rows } = await sql<LikeRow>`
      WITH req AS (
        SELECT * FROM unnest(${batch.map((_, i) => i)}::int[], ${batch.map((b) => b.userId)}::uuid[], ${batch.map((b) => b.videoId)}::uuid[],
          ${batch.map(() => eventId())}::text[], ${batch.map((b) => b.feed)}::text[]) AS r(i, user_id, video_id, ev_id, feed)
      ),
      ok AS (
        SELECT r.i, r.user_id, r.video_id, r.ev_id, r.feed, v.user_id AS owner
        FROM req r JOIN videos v ON v.id = r.video_id JOIN users a ON a.id = v.user_id
        WHERE ${videoVisibleToSql(sql`r.user_id`)}
      ),
      ins AS (INSERT INTO likes (user_id, video_id) SELECT DISTINCT user_id, video_id FROM ok ON CONFLICT DO NOTHING RETURNING user_id, video_id),
      upd AS (
        UPDATE videos SET like_count = like_count + c.n FROM (SELECT video_id, count(*) AS n FROM ins GROUP BY video_id) c
        WHERE videos.id = c.video_id RETURNING videos.id, videos.like_count
      ),
      -- The same person liking the same video twice in one batch: the first request is the like.
      first AS (SELECT DISTINCT ON (ok.user_id, ok.video_id) ok.* FROM ok JOIN ins USING (user_id, video_id) ORDER BY ok.user_id, ok.video_id, ok.i),
      ev AS (INSERT INTO events (id, user_id, video_id, type, feed) SELECT ev_id, user_id, video_id, 'like', feed FROM first),
      nt AS (${notifications.insertSql(
        'like',
        sql`SELECT owner AS user_id, user_id AS actor_id, video_id, NULL::uuid AS comment_id, NULL::text AS text FROM first`,
      )})
      SELECT r.i, ok.i IS NOT NULL AS found, coalesce(upd.like_count, v.like_count) AS likes,
        CASE WHEN r.i = 0 THEN (SELECT json_agg(json_build_object('user_id', nt.user_id, 'seq', nt.seq)) FROM nt) END AS notes
      FROM req r LEFT JOIN ok ON ok.i = r.i LEFT JOIN upd ON upd.id = r.video_id LEFT JOIN videos v ON v.id = r.video_id`.execute(db);
    return rows;
  }

  async function runLikes(batch: LikeRequest[]) {
    let rows: LikeRow[];
    try {
      rows = await likeBatch(batch);
    } catch (err) {
      // One bad request (a video deleted mid-statement, a deadlock between two processes' batches on
      // PostgreSQL) must not fail the others: retry them one by one.
      if (batch.length === 1) return batch[0]!.fail(err);
      for (const b of batch) await runLikes([b]);
      return;
    }
    notifications.announce(rows.find((r) => r.notes)?.notes ?? []);
    for (const r of rows) batch[r.i]!.done({ found: r.found, likes: Number(r.likes ?? 0) });
  }

  function pumpLikes() {
    if (likeBusy || likeScheduled || !likeQueue.length) return;
    likeScheduled = true;
    // Let the likes that arrive in this turn of the event loop join the batch.
    setImmediate(() => {
      likeScheduled = false;
      likeBusy = true;
      void runLikes(likeQueue.splice(0, MAX_LIKE_BATCH)).finally(() => {
        likeBusy = false;
        pumpLikes();
      });
    });
  }

  async function videoExists(id: string) {
    return !!(await db.selectFrom('videos').select('id').where('id', '=', id).executeTakeFirst());
  }

  async function counterOf(videoId: string, col: 'like_count' | 'save_count') {
    const r = await db.selectFrom('videos').select(col).where('id', '=', videoId).executeTakeFirst();
    if (!r) throw notFound('video');
    return Number((r as Record<string, number>)[col]);
  }

  /** Videos by id in the given order, dropping what the viewer may not see (any more). */
  /** A page of (video_id, created_at) rows fetched with one extra row: the visible videos and the next cursor. */
  async function videoPage(rows: { video_id: string; created_at: Date }[], limit: number, viewer: SessionUser | undefined): Promise<VideoList> {
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const visible = await hydrateVisible(
      page.map((r) => r.video_id),
      viewer,
    );
    return {
      items: visible.map((r) => videos.toDto(r)),
      nextCursor: rows.length > limit && last ? encodeCursor({ t: last.created_at.toISOString(), id: last.video_id }) : null,
    };
  }

  async function hydrateVisible(ids: string[], viewer: SessionUser | undefined) {
    if (!ids.length) return [];
    const { rows } = await sql<{ id: string }>`
      SELECT v.id FROM videos v JOIN users a ON a.id = v.user_id WHERE v.id = ANY(${ids}::uuid[]) AND ${videoVisibleSql(viewer?.id)}`.execute(db);
    const ok = new Set(rows.map((r) => r.id));
    const byId = new Map((await videosRepo.byIds(ids.filter((id) => ok.has(id)))).map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r) => r !== undefined);
  }

  async function collectionOf(viewer: SessionUser, id: string) {
    const c = await db.selectFrom('collections').selectAll().where('id', '=', id).where('user_id', '=', viewer.id).executeTakeFirst();
    if (!c) throw notFound('collection');
    return c;
  }

  async function collectionDto(id: string): Promise<Collection> {
    const c = await db
      .selectFrom('collections')
      .select(['id', 'name', 'created_at'])
      .select((eb) =>
        eb
          .selectFrom('saves')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('saves.collection_id', '=', 'collections.id')
          .as('videos'),
      )
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { id: c.id, name: c.name, videos: Number(c.videos ?? 0), createdAt: c.created_at.toISOString() };
  }

  return {
    async like(viewer: SessionUser, videoId: string, feed?: string): Promise<LikeState> {
      const r = await new Promise<{ found: boolean; likes: number }>((done, fail) => {
        likeQueue.push({ userId: viewer.id, videoId, feed: feed ?? null, done, fail });
        pumpLikes();
      });
      if (!r.found) throw notFound('video');
      return { liked: true, likes: r.likes };
    },

    async unlike(viewer: SessionUser, videoId: string): Promise<LikeState> {
      const { rows } = await sql<{ likes: number | null }>`
        WITH del AS (DELETE FROM likes WHERE user_id = ${viewer.id}::uuid AND video_id = ${videoId}::uuid RETURNING video_id),
        upd AS (UPDATE videos SET like_count = greatest(like_count - 1, 0) WHERE id IN (SELECT video_id FROM del) RETURNING like_count),
        ev AS (INSERT INTO events (id, user_id, video_id, type) SELECT ${eventId()}, ${viewer.id}::uuid, video_id, 'unlike' FROM del)
        SELECT (SELECT like_count FROM upd) AS likes`.execute(db);
      return { liked: false, likes: rows[0]?.likes ?? (await counterOf(videoId, 'like_count')) };
    },

    async save(viewer: SessionUser, videoId: string, collectionId: string | null | undefined): Promise<SaveState> {
      if (collectionId) await collectionOf(viewer, collectionId);
      const { rows } = await sql<{ found: boolean; inserted: boolean | null; saves: number | null }>`
        WITH v AS (SELECT v.id FROM videos v JOIN users a ON a.id = v.user_id WHERE v.id = ${videoId}::uuid AND ${videoVisibleSql(viewer.id)}),
        up AS (INSERT INTO saves (user_id, video_id, collection_id) SELECT ${viewer.id}::uuid, id, ${collectionId ?? null}::uuid FROM v
          ON CONFLICT (user_id, video_id) DO UPDATE SET collection_id = EXCLUDED.collection_id
          RETURNING video_id, (xmax = 0) AS inserted),
        upd AS (UPDATE videos SET save_count = save_count + 1 WHERE id IN (SELECT video_id FROM up WHERE inserted) RETURNING save_count),
        ev AS (INSERT INTO events (id, user_id, video_id, type) SELECT ${eventId()}, ${viewer.id}::uuid, video_id, 'save' FROM up WHERE inserted)
        SELECT EXISTS (SELECT 1 FROM v) AS found, (SELECT inserted FROM up) AS inserted, (SELECT save_count FROM upd) AS saves`.execute(db);
      const r = rows[0]!;
      if (!r.found) throw notFound('video');
      return { saved: true, collectionId: collectionId ?? null, saves: r.saves ?? (await counterOf(videoId, 'save_count')) };
    },

    async unsave(viewer: SessionUser, videoId: string): Promise<SaveState> {
      const { rows } = await sql<{ saves: number | null }>`
        WITH del AS (DELETE FROM saves WHERE user_id = ${viewer.id}::uuid AND video_id = ${videoId}::uuid RETURNING video_id),
        upd AS (UPDATE videos SET save_count = greatest(save_count - 1, 0) WHERE id IN (SELECT video_id FROM del) RETURNING save_count)
        SELECT (SELECT save_count FROM upd) AS saves`.execute(db);
      return { saved: false, collectionId: null, saves: rows[0]?.saves ?? (await counterOf(videoId, 'save_count')) };
    },

    /** Counters plus the viewer's own like/save state; videos the viewer may not see are left out. */
    async state(viewer: SessionUser | undefined, ids: string[]): Promise<{ items: VideoEngagement[] }> {
      const me = viewer?.id ?? '00000000-0000-0000-0000-000000000000';
      const { rows } = await sql<{
        id: string;
        like_count: number;
        comment_count: number;
        save_count: number;
        share_count: number;
        liked: boolean;
        saved: boolean;
        collection_id: string | null;
      }>`
        SELECT v.id, v.like_count, v.comment_count, v.save_count, v.share_count,
          EXISTS (SELECT 1 FROM likes l WHERE l.user_id = ${me}::uuid AND l.video_id = v.id) AS liked,
          s.user_id IS NOT NULL AS saved, s.collection_id
        FROM videos v JOIN users a ON a.id = v.user_id
        LEFT JOIN saves s ON s.user_id = ${me}::uuid AND s.video_id = v.id
        WHERE v.id = ANY(${ids}::uuid[]) AND ${videoVisibleSql(viewer?.id)}`.execute(db);
      return {
        items: rows.map((r) => ({
          videoId: r.id,
          liked: r.liked,
          saved: r.saved,
          collectionId: r.collection_id,
          likes: Number(r.like_count),
          comments: Number(r.comment_count),
          saves: Number(r.save_count),
          shares: Number(r.share_count),
        })),
      };
    },

    async collections(viewer: SessionUser) {
      const rows = await db
        .selectFrom('collections')
        .select(['id', 'name', 'created_at'])
        .select((eb) =>
          eb
            .selectFrom('saves')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('saves.collection_id', '=', 'collections.id')
            .as('videos'),
        )
        .where('user_id', '=', viewer.id)
        .orderBy('created_at', 'asc')
        .execute();
      const saved = await db
        .selectFrom('saves')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('user_id', '=', viewer.id)
        .executeTakeFirstOrThrow();
      return {
        items: rows.map((c) => ({ id: c.id, name: c.name, videos: Number(c.videos ?? 0), createdAt: c.created_at.toISOString() })),
        saved: Number(saved.n),
      };
    },

    async createCollection(viewer: SessionUser, name: string) {
      const count = await db
        .selectFrom('collections')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('user_id', '=', viewer.id)
        .executeTakeFirstOrThrow();
      if (Number(count.n) >= 100) throw badRequest('too_many_collections', 'you can have at most 100 collections');
      const id = crypto.randomUUID();
      const ins = await sql<{ id: string }>`
        INSERT INTO collections (id, user_id, name) VALUES (${id}::uuid, ${viewer.id}::uuid, ${name})
        ON CONFLICT (user_id, lower(name)) DO NOTHING RETURNING id`.execute(db);
      if (!ins.rows.length) throw conflict('collection_exists', `you already have a collection named "${name}"`);
      return collectionDto(id);
    },

    async renameCollection(viewer: SessionUser, id: string, name: string) {
      await collectionOf(viewer, id);
      try {
        await db.updateTable('collections').set({ name }).where('id', '=', id).where('user_id', '=', viewer.id).execute();
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw conflict('collection_exists', `you already have a collection named "${name}"`);
        throw err;
      }
      return collectionDto(id);
    },

    async deleteCollection(viewer: SessionUser, id: string) {
      await collectionOf(viewer, id);
      await db.deleteFrom('collections').where('id', '=', id).where('user_id', '=', viewer.id).execute();
      return { ok: true as const };
    },

    async saved(viewer: SessionUser, limit: number, cursor: string | undefined, collectionId?: string): Promise<VideoList> {
      if (collectionId) await collectionOf(viewer, collectionId);
      const c = decodeCursor(cursor, isTimeCursor);
      let q = db.selectFrom('saves').select(['video_id', 'created_at']).where('user_id', '=', viewer.id);
      if (collectionId) q = q.where('collection_id', '=', collectionId);
      if (c) q = q.where((eb) => eb.or([eb('created_at', '<', new Date(c.t)), eb.and([eb('created_at', '=', new Date(c.t)), eb('video_id', '<', c.id)])]));
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('video_id', 'desc')
        .limit(limit + 1)
        .execute();
      return videoPage(rows, limit, viewer);
    },

    async liked(username: string, viewer: SessionUser | undefined, limit: number, cursor?: string): Promise<VideoList> {
      const profile = await deps.social.profile(username, viewer);
      if (!profile.isMe) {
        if (profile.blocked) throw forbidden('you blocked this user', 'blocked');
        if (!profile.canSeeVideos) throw forbidden('this account is private', 'private_account');
        if (!profile.likesPublic) throw forbidden("this user's liked videos are private", 'likes_private');
      }
      const c = decodeCursor(cursor, isTimeCursor);
      let q = db.selectFrom('likes').select(['video_id', 'created_at']).where('user_id', '=', profile.id);
      if (c) q = q.where((eb) => eb.or([eb('created_at', '<', new Date(c.t)), eb.and([eb('created_at', '=', new Date(c.t)), eb('video_id', '<', c.id)])]));
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('video_id', 'desc')
        .limit(limit + 1)
        .execute();
      return videoPage(rows, limit, viewer);
    },

    /**
     * Recompute denormalised counters from their source rows (likes, visible comments, saves;
     * comment likes and replies; share_count belongs to the share module) and fix any that drifted. `videoIds` limits it to
     * those videos; returns how many rows it corrected.
     */
    async reconcile(videoIds?: string[]): Promise<{ videos: number; comments: number }> {
      const only = videoIds ? sql`AND v.id = ANY(${videoIds}::uuid[])` : sql``;
      const onlyC = videoIds ? sql`AND c.video_id = ANY(${videoIds}::uuid[])` : sql``;
      const v = await sql<{ id: string }>`
        UPDATE videos v SET like_count = x.likes, comment_count = x.comments, save_count = x.saves
        FROM (SELECT v.id,
            (SELECT count(*) FROM likes l WHERE l.video_id = v.id) AS likes,
            (SELECT count(*) FROM comments c WHERE c.video_id = v.id AND NOT c.hidden) AS comments,
            (SELECT count(*) FROM saves s WHERE s.video_id = v.id) AS saves
          FROM videos v WHERE true ${only}) x
        WHERE v.id = x.id AND (v.like_count, v.comment_count, v.save_count) IS DISTINCT FROM (x.likes, x.comments, x.saves)
        RETURNING v.id`.execute(db);
      const c = await sql<{ id: string }>`
        UPDATE comments c SET like_count = x.likes, reply_count = x.replies
        FROM (SELECT c.id,
            (SELECT count(*) FROM comment_likes cl WHERE cl.comment_id = c.id) AS likes,
            (SELECT count(*) FROM comments r WHERE r.parent_id = c.id AND NOT r.hidden) AS replies
          FROM comments c WHERE true ${onlyC}) x
        WHERE c.id = x.id AND (c.like_count, c.reply_count) IS DISTINCT FROM (x.likes, x.replies)
        RETURNING c.id`.execute(db);
      return { videos: v.rows.length, comments: c.rows.length };
    },

    videoExists,
  };
}
export type EngagementService = ReturnType<typeof createEngagementService>;
