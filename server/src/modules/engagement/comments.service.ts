import crypto from 'node:crypto';
import { sql } from 'kysely';
import { parseCaption, type Comment, type CommentPage, type LikeState } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { Clock } from '../../platform/clock.ts';
import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { notBlockedSql, videoVisibleSql } from '../social/social.service.ts';

const NIL = '00000000-0000-0000-0000-000000000000';

/** Spam guards (per author): a burst limit, an hourly limit, repeated text, and links from new accounts. */
export type CommentLimits = { perMinute: number; perHour: number; duplicateWindowMs: number; newAccountMs: number; maxLinks: number; maxMentions: number };
export const defaultCommentLimits: CommentLimits = {
  perMinute: 10,
  perHour: 120,
  duplicateWindowMs: 10 * 60_000,
  newAccountMs: 24 * 3600_000,
  maxLinks: 2,
  maxMentions: 10,
};

const LINK = /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|ly|me|info|biz|xyz|app|link|ru|cn|gg|tv)\b(?:\/\S*)?/giu;
export const countLinks = (text: string) => [...text.matchAll(LINK)].length;
/** Duplicate detection ignores case, spacing and punctuation. */
export const normalizeForDup = (text: string) =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
export const matchesFilter = (text: string, words: string[]) => {
  const t = text.normalize('NFKC').toLowerCase();
  return words.some((w) => w && t.includes(w));
};

type Row = {
  id: string;
  video_id: string;
  user_id: string;
  parent_id: string | null;
  body: string;
  hidden: boolean;
  like_count: number;
  reply_count: number;
  pinned_at: Date | null;
  created_at: Date;
  username: string;
  display_name: string;
  avatar_key: string | null;
  reply_to: string | null;
  liked: boolean;
  owner_id: string;
};

type TopCursor = { l: number; t: string; id: string };
const isTopCursor = (v: unknown): v is TopCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as TopCursor).l === 'number' &&
  typeof (v as TopCursor).t === 'string' &&
  !Number.isNaN(Date.parse((v as TopCursor).t)) &&
  /^[0-9a-f-]{36}$/.test(String((v as TopCursor).id));
type NewCursor = { t: string; id: string };
const isNewCursor = (v: unknown): v is NewCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as NewCursor).t === 'string' &&
  !Number.isNaN(Date.parse((v as NewCursor).t)) &&
  /^[0-9a-f-]{36}$/.test(String((v as NewCursor).id));

/**
 * Threaded comments: top-level comments and one level of replies (a reply to a reply joins the
 * thread and names whom it answers), comment likes, creator pinning, deletion by author or
 * creator, creator controls (everyone / followers / off, keyword filter) and spam guards.
 */
export function createCommentsService(deps: {
  db: Database;
  blob: BlobStore;
  clock: Clock;
  notifications: NotificationsService;
  limits?: Partial<CommentLimits>;
}) {
  const { db, blob, clock, notifications } = deps;
  const limits = { ...defaultCommentLimits, ...deps.limits };

  /** The video as the viewer sees it, with the creator's comment controls; 404 when not visible. */
  async function access(videoId: string, viewer: SessionUser | undefined) {
    const me = viewer?.id ?? NIL;
    const { rows } = await sql<{
      id: string;
      owner_id: string;
      comment_policy: 'everyone' | 'followers' | 'off';
      comment_filter: string[];
      comment_count: number;
      follows: boolean;
    }>`
      SELECT v.id, v.user_id AS owner_id, a.comment_policy, a.comment_filter, v.comment_count,
        EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ${me}::uuid AND f.followee_id = v.user_id) AS follows
      FROM videos v JOIN users a ON a.id = v.user_id
      WHERE v.id = ${videoId}::uuid AND ${videoVisibleSql(viewer?.id)}`.execute(db);
    const v = rows[0];
    if (!v) throw notFound('video');
    const isOwner = viewer?.id === v.owner_id;
    let reason: string | undefined;
    if (!isOwner) {
      if (v.comment_policy === 'off') reason = 'The creator turned comments off';
      else if (v.comment_policy === 'followers' && !v.follows) reason = 'Only followers of the creator can comment';
    }
    return { ...v, isOwner, canComment: !!viewer && !reason, reason: reason ?? (viewer ? undefined : 'Sign in to comment') };
  }

  /** Comments visible to the viewer: not hidden (unless theirs), nobody blocked either way, nobody they muted. */
  function baseQuery(viewer: SessionUser | undefined) {
    const me = viewer?.id ?? NIL;
    return {
      select: sql`SELECT c.id, c.video_id, c.user_id, c.parent_id, c.body, c.hidden, c.like_count, c.reply_count, c.pinned_at, c.created_at,
          u.username, u.display_name, u.avatar_key, rt.username AS reply_to, v.user_id AS owner_id,
          EXISTS (SELECT 1 FROM comment_likes cl WHERE cl.comment_id = c.id AND cl.user_id = ${me}::uuid) AS liked
        FROM comments c JOIN users u ON u.id = c.user_id JOIN videos v ON v.id = c.video_id LEFT JOIN users rt ON rt.id = c.reply_to_id`,
      visible: sql`(NOT c.hidden OR c.user_id = ${me}::uuid) AND ${notBlockedSql(sql`c.user_id`, me)}
          AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = ${me}::uuid AND m.muted_id = c.user_id)`,
    };
  }

  function toDto(r: Row, viewer: SessionUser | undefined): Comment {
    const staff = !!viewer && viewer.roles.some((x) => x === 'moderator' || x === 'admin');
    return {
      id: r.id,
      videoId: r.video_id,
      parentId: r.parent_id,
      author: { id: r.user_id, username: r.username, displayName: r.display_name, avatarUrl: r.avatar_key ? blob.url(r.avatar_key) : null },
      text: r.body,
      replyTo: r.reply_to,
      mentions: parseCaption(r.body).mentions,
      likes: Number(r.like_count),
      replies: Number(r.reply_count),
      liked: r.liked,
      pinned: !!r.pinned_at,
      hidden: r.hidden,
      byCreator: r.user_id === r.owner_id,
      canDelete: !!viewer && (viewer.id === r.user_id || viewer.id === r.owner_id || staff),
      canPin: !!viewer && viewer.id === r.owner_id && !r.parent_id && !r.hidden,
      createdAt: new Date(r.created_at).toISOString(),
    };
  }

  async function one(id: string, viewer: SessionUser | undefined): Promise<Comment> {
    const b = baseQuery(viewer);
    const { rows } = await sql<Row>`${b.select} WHERE c.id = ${id}::uuid`.execute(db);
    if (!rows[0]) throw notFound('comment');
    return toDto(rows[0], viewer);
  }

  /** A comment the viewer can see on a video they can see; 404 otherwise. */
  async function visibleComment(id: string, viewer: SessionUser | undefined) {
    const b = baseQuery(viewer);
    const { rows } = await sql<Row>`${b.select} WHERE c.id = ${id}::uuid AND ${b.visible}`.execute(db);
    const c = rows[0];
    if (!c) throw notFound('comment');
    const video = await access(c.video_id, viewer);
    return { c, video };
  }

  return {
    access,
    one,

    async list(videoId: string, viewer: SessionUser | undefined, sort: 'top' | 'new', limit: number, cursor?: string): Promise<CommentPage> {
      const v = await access(videoId, viewer);
      const b = baseQuery(viewer);
      let after = sql``;
      if (sort === 'top') {
        const c = decodeCursor(cursor, isTopCursor);
        if (c) after = sql`AND (c.like_count, c.created_at, c.id) < (${c.l}, ${new Date(c.t)}::timestamptz, ${c.id}::uuid)`;
      } else {
        const c = decodeCursor(cursor, isNewCursor);
        if (c) after = sql`AND (c.created_at, c.id) < (${new Date(c.t)}::timestamptz, ${c.id}::uuid)`;
      }
      const order = sort === 'top' ? sql`c.like_count DESC, c.created_at DESC, c.id DESC` : sql`c.created_at DESC, c.id DESC`;
      const { rows } = await sql<Row>`${b.select}
        WHERE c.video_id = ${videoId}::uuid AND c.parent_id IS NULL AND c.pinned_at IS NULL AND ${b.visible} ${after}
        ORDER BY ${order} LIMIT ${limit + 1}`.execute(db);
      const page = rows.slice(0, limit);
      const items = page.map((r) => toDto(r, viewer));
      if (!cursor) {
        const pinned =
          await sql<Row>`${b.select} WHERE c.video_id = ${videoId}::uuid AND c.parent_id IS NULL AND c.pinned_at IS NOT NULL AND ${b.visible}`.execute(db);
        items.unshift(...pinned.rows.map((r) => toDto(r, viewer)));
      }
      const last = page.at(-1);
      const next =
        rows.length > limit && last
          ? encodeCursor(
              sort === 'top'
                ? { l: Number(last.like_count), t: new Date(last.created_at).toISOString(), id: last.id }
                : { t: new Date(last.created_at).toISOString(), id: last.id },
            )
          : null;
      return { items, nextCursor: next, total: Number(v.comment_count), canComment: v.canComment, ...(v.reason ? { reason: v.reason } : {}) };
    },

    async replies(commentId: string, viewer: SessionUser | undefined, limit: number, cursor?: string) {
      const { c: parent } = await visibleComment(commentId, viewer);
      if (parent.parent_id) throw badRequest('not_a_thread', 'replies belong to top-level comments');
      const b = baseQuery(viewer);
      const c = decodeCursor(cursor, isNewCursor);
      const after = c ? sql`AND (c.created_at, c.id) > (${new Date(c.t)}::timestamptz, ${c.id}::uuid)` : sql``;
      const { rows } = await sql<Row>`${b.select}
        WHERE c.parent_id = ${commentId}::uuid AND ${b.visible} ${after}
        ORDER BY c.created_at ASC, c.id ASC LIMIT ${limit + 1}`.execute(db);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => toDto(r, viewer)),
        nextCursor: rows.length > limit && last ? encodeCursor({ t: new Date(last.created_at).toISOString(), id: last.id }) : null,
      };
    },

    async add(viewer: SessionUser, videoId: string, body: { text: string; parentId?: string }): Promise<Comment> {
      const v = await access(videoId, viewer);
      if (!v.canComment) throw forbidden(v.reason ?? 'you cannot comment on this video', 'comments_closed');
      const text = body.text;
      const mentions = parseCaption(text).mentions;
      if (mentions.length > limits.maxMentions) throw badRequest('too_many_mentions', `a comment may mention at most ${limits.maxMentions} people`);
      let rootId: string | null = null;
      let replyToId: string | null = null;
      let parentAuthor: string | null = null;
      let replyToName: string | null = null;
      if (body.parentId) {
        const { c: parent } = await visibleComment(body.parentId, viewer).catch((err: unknown) => {
          if (err instanceof AppError && err.status === 404) throw notFound('parent comment');
          throw err;
        });
        if (parent.video_id !== videoId) throw badRequest('wrong_video', 'the parent comment belongs to another video');
        if (parent.hidden) throw notFound('parent comment');
        rootId = parent.parent_id ?? parent.id;
        parentAuthor = parent.user_id;
        replyToId = parent.parent_id ? parent.user_id : null;
        replyToName = parent.parent_id ? parent.username : null;
      }
      const links = countLinks(text);
      if (links > limits.maxLinks) throw badRequest('too_many_links', `a comment may contain at most ${limits.maxLinks} links`);
      const hidden = !v.isOwner && matchesFilter(text, v.comment_filter);
      const hash = crypto.createHash('sha256').update(normalizeForDup(text)).digest('hex').slice(0, 32);
      const id = crypto.randomUUID();
      const excerpt = text.slice(0, 140);
      const now = clock.now().getTime();
      type Written = {
        minute: number;
        hour: number;
        dup: boolean;
        joined: Date;
        created_at: Date | null;
        display_name: string;
        avatar_key: string | null;
        notes: { user_id: string; seq: number }[] | null;
      };
      const w = await db.transaction().execute(async (trx) => {
        // One author's comments are checked and written one at a time, so a flood cannot race past the limits
        // (the check runs in the next statement, so its snapshot includes whatever the lock waited for).
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`comment:${viewer.id}`}, 0))`.execute(trx);
        try {
          // The spam guards, the comment, its counters, the recommender's event and the creator's
          // notification in one statement: nothing is written unless every guard passes.
          const { rows } = await sql<Written>`
            WITH chk AS (
              SELECT
                (SELECT count(*)::int FROM comments WHERE user_id = ${viewer.id}::uuid AND created_at > ${new Date(now - 60_000)}) AS minute,
                (SELECT count(*)::int FROM comments WHERE user_id = ${viewer.id}::uuid AND created_at > ${new Date(now - 3600_000)}) AS hour,
                EXISTS (SELECT 1 FROM comments WHERE user_id = ${viewer.id}::uuid AND body_hash = ${hash}
                  AND created_at > ${new Date(now - limits.duplicateWindowMs)}) AS dup,
                u.created_at AS joined, u.display_name, u.avatar_key
              FROM users u WHERE u.id = ${viewer.id}::uuid
            ),
            ins AS (INSERT INTO comments (id, video_id, user_id, parent_id, reply_to_id, body, body_hash, hidden)
                SELECT ${id}::uuid, ${videoId}::uuid, ${viewer.id}::uuid, ${rootId}::uuid, ${replyToId}::uuid, ${text}, ${hash}, ${hidden} FROM chk
                WHERE chk.minute < ${limits.perMinute} AND chk.hour < ${limits.perHour} AND NOT chk.dup
                  AND (${links} = 0 OR chk.joined <= ${new Date(now - limits.newAccountMs)})
                RETURNING id, video_id, parent_id, hidden, created_at),
              cv AS (UPDATE videos SET comment_count = comment_count + 1 WHERE id IN (SELECT video_id FROM ins WHERE NOT hidden) RETURNING id),
              cp AS (UPDATE comments SET reply_count = reply_count + 1 WHERE id IN (SELECT parent_id FROM ins WHERE NOT hidden) RETURNING id),
              ev AS (INSERT INTO events (id, user_id, video_id, type) SELECT ${`srv-${crypto.randomUUID()}`}, ${viewer.id}::uuid, video_id, 'comment' FROM ins),
              nt AS (${notifications.insertSql(
                'comment',
                // The creator hears of it, unless they wrote it or already hear of it as the reply's addressee.
                sql`SELECT ${v.owner_id}::uuid AS user_id, ${viewer.id}::uuid AS actor_id, video_id, id AS comment_id, ${excerpt}::text AS text
                  FROM ins WHERE NOT hidden AND ${v.owner_id}::uuid IS DISTINCT FROM ${parentAuthor}::uuid`,
              )})
            SELECT chk.minute, chk.hour, chk.dup, chk.joined, chk.display_name, chk.avatar_key, (SELECT created_at FROM ins) AS created_at,
              (SELECT json_agg(json_build_object('user_id', nt.user_id, 'seq', nt.seq)) FROM nt) AS notes
            FROM chk`.execute(trx);
          return rows[0]!;
        } catch (err) {
          // The video or the parent was deleted meanwhile.
          if ((err as { code?: string }).code === '23503') throw notFound(rootId ? 'parent comment' : 'video');
          throw err;
        }
      });
      if (!w.created_at) {
        if (w.minute >= limits.perMinute) throw new AppError(429, 'comment_rate_limited', `slow down: at most ${limits.perMinute} comments a minute`);
        if (w.hour >= limits.perHour) throw new AppError(429, 'comment_rate_limited', `slow down: at most ${limits.perHour} comments an hour`);
        if (w.dup) throw conflict('duplicate_comment', 'you just posted the same comment');
        throw forbidden('new accounts cannot post links in comments yet', 'links_not_allowed');
      }
      notifications.announce(w.notes ?? []);
      if (!hidden) {
        const told = new Set<string>([viewer.id]);
        if (parentAuthor && !told.has(parentAuthor)) {
          await notifications.notify({ userId: parentAuthor, type: 'reply', actorId: viewer.id, videoId, commentId: id, text: excerpt });
          told.add(parentAuthor);
        }
        // The creator was notified in the statement above (unless they are the one replied to).
        told.add(v.owner_id);
        if (mentions.length) {
          const users = await db
            .selectFrom('users')
            .select('id')
            .where((eb) =>
              eb(
                eb.fn('lower', ['username']),
                'in',
                mentions.map((m) => m.toLowerCase()),
              ),
            )
            .execute();
          for (const u of users) {
            if (told.has(u.id)) continue;
            told.add(u.id);
            // Only people who can see the video hear about it.
            const { rows } = await sql<{ ok: boolean }>`
              SELECT EXISTS (SELECT 1 FROM videos v JOIN users a ON a.id = v.user_id WHERE v.id = ${videoId}::uuid AND ${videoVisibleSql(u.id)}) AS ok`.execute(
              db,
            );
            if (rows[0]?.ok) await notifications.notify({ userId: u.id, type: 'mention', actorId: viewer.id, videoId, commentId: id, text: excerpt });
          }
        }
      }
      // The answer from what is known (the statement returned the author's profile and the time).
      return toDto(
        {
          id,
          video_id: videoId,
          user_id: viewer.id,
          parent_id: rootId,
          body: text,
          hidden,
          like_count: 0,
          reply_count: 0,
          pinned_at: null,
          created_at: w.created_at,
          username: viewer.username,
          display_name: w.display_name,
          avatar_key: w.avatar_key,
          reply_to: replyToName,
          liked: false,
          owner_id: v.owner_id,
        },
        viewer,
      );
    },

    async remove(viewer: SessionUser, commentId: string) {
      const { c } = await visibleComment(commentId, viewer);
      const staff = viewer.roles.some((x) => x === 'moderator' || x === 'admin');
      if (c.user_id !== viewer.id && c.owner_id !== viewer.id && !staff) throw forbidden('only its author or the video creator can delete a comment');
      await db.transaction().execute(async (trx) => {
        const locked = await sql<{ id: string }>`SELECT id FROM comments WHERE id = ${commentId}::uuid FOR UPDATE`.execute(trx);
        if (!locked.rows.length) return; // deleted meanwhile
        // Counters drop by what disappears: the comment and (for a thread) its visible replies.
        await sql`
          WITH gone AS (SELECT id, parent_id, video_id, hidden FROM comments WHERE id = ${commentId}::uuid OR parent_id = ${commentId}::uuid),
            del AS (DELETE FROM comments WHERE id = ${commentId}::uuid RETURNING id),
            cv AS (UPDATE videos SET comment_count = greatest(comment_count - (SELECT count(*) FROM gone WHERE NOT hidden), 0)
              WHERE id = ${c.video_id}::uuid),
            cp AS (UPDATE comments SET reply_count = greatest(reply_count - 1, 0)
              WHERE id = (SELECT parent_id FROM gone WHERE id = ${commentId}::uuid AND NOT hidden))
          SELECT 1`.execute(trx);
      });
      return { ok: true as const };
    },

    async like(viewer: SessionUser, commentId: string): Promise<LikeState> {
      const { c } = await visibleComment(commentId, viewer);
      const { rows } = await sql<{ likes: number | null }>`
        WITH ins AS (INSERT INTO comment_likes (user_id, comment_id) VALUES (${viewer.id}::uuid, ${commentId}::uuid) ON CONFLICT DO NOTHING RETURNING comment_id),
          upd AS (UPDATE comments SET like_count = like_count + 1 WHERE id IN (SELECT comment_id FROM ins) RETURNING like_count)
        SELECT (SELECT like_count FROM upd) AS likes`.execute(db);
      const likes = rows[0]?.likes;
      if (likes !== null && likes !== undefined) {
        await notifications.notify({ userId: c.user_id, type: 'comment_like', actorId: viewer.id, videoId: c.video_id, commentId, text: c.body.slice(0, 140) });
        return { liked: true, likes };
      }
      return { liked: true, likes: Number((await one(commentId, viewer)).likes) };
    },

    async unlike(viewer: SessionUser, commentId: string): Promise<LikeState> {
      const { rows } = await sql<{ likes: number | null }>`
        WITH del AS (DELETE FROM comment_likes WHERE user_id = ${viewer.id}::uuid AND comment_id = ${commentId}::uuid RETURNING comment_id),
          upd AS (UPDATE comments SET like_count = greatest(like_count - 1, 0) WHERE id IN (SELECT comment_id FROM del) RETURNING like_count)
        SELECT (SELECT like_count FROM upd) AS likes`.execute(db);
      const likes = rows[0]?.likes;
      if (likes !== null && likes !== undefined) return { liked: false, likes };
      return { liked: false, likes: (await one(commentId, viewer)).likes };
    },

    async pin(viewer: SessionUser, commentId: string, pinned: boolean): Promise<Comment> {
      const { c } = await visibleComment(commentId, viewer);
      if (c.owner_id !== viewer.id) throw forbidden('only the video creator can pin comments');
      if (c.parent_id) throw badRequest('not_top_level', 'only top-level comments can be pinned');
      if (c.hidden) throw badRequest('comment_hidden', 'a filtered comment cannot be pinned');
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('comments').set({ pinned_at: null }).where('video_id', '=', c.video_id).where('pinned_at', 'is not', null).execute();
        if (pinned) await trx.updateTable('comments').set({ pinned_at: clock.now() }).where('id', '=', commentId).execute();
      });
      return one(commentId, viewer);
    },
  };
}
export type CommentsService = ReturnType<typeof createCommentsService>;
