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
import { notBlockedSql, videoVisibleSql, videoVisibleToSql } from '../social/social.service.ts';

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

/** Comments waiting for the next batch statement; at most this many go in one. */
const MAX_COMMENT_BATCH = 128;
type Refusal = 'no_video' | 'off' | 'followers' | 'mentions' | 'no_parent' | 'wrong_video' | 'links';
type CommentRequest = {
  viewer: SessionUser;
  id: string;
  videoId: string;
  parentId: string | null;
  text: string;
  /** NFKC, lower case: what the keyword filter matches against. */
  norm: string;
  hash: string;
  excerpt: string;
  links: number;
  pre: 'mentions' | 'links' | null;
  /** Lower-cased usernames mentioned. */
  mentions: string[];
  done: (r: CommentResult) => void;
  fail: (err: unknown) => void;
};
type CommentResult = {
  /** On the first row only: the notifications written, for live delivery. */
  notes?: { user_id: string; seq: number }[] | null;
  refusal: Refusal | null;
  minute: number;
  hour: number;
  dup: boolean;
  /** Set when the comment was written. */
  created_at: Date | null;
  display_name: string;
  avatar_key: string | null;
  root_id: string | null;
  reply_to_name: string | null;
  owner_id: string | null;
  hidden: boolean;
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

  const commentQueue: CommentRequest[] = [];
  let commentBusy = false;
  let commentScheduled = false;

  /**
   * One statement for a batch of comments, each from a different author: per request (by index) the
   * access check (video visible, comment controls, keyword filter), the parent (visible, same video,
   * not filtered), the spam guards, the row, the counters, the event, and the notifications (creator,
   * the one replied to, the people mentioned who can see the video) — each refusal changes nothing.
   */
  async function commentBatch(trx: Database, batch: CommentRequest[]): Promise<(CommentResult & { i: number })[]> {
    const now = clock.now().getTime();
    const col = <T>(f: (b: CommentRequest, i: number) => T) => batch.map(f);
    const men = batch.flatMap((b, i) => b.mentions.map((m) => [i, m] as const));
    const { rows } = await sql<CommentResult & { i: number }>`
      WITH req AS (
        SELECT * FROM unnest(${col((_, i) => i)}::int[], ${col((b) => b.id)}::uuid[], ${col((b) => b.viewer.id)}::uuid[], ${col((b) => b.videoId)}::uuid[],
          ${col((b) => b.parentId)}::uuid[], ${col((b) => b.text)}::text[], ${col((b) => b.norm)}::text[], ${col((b) => b.hash)}::text[],
          ${col((b) => b.excerpt)}::text[], ${col((b) => b.links)}::int[], ${col((b) => b.pre)}::text[], ${col(() => `srv-${crypto.randomUUID()}`)}::text[])
          AS r(i, id, user_id, video_id, parent_in, body, norm, body_hash, excerpt, links, pre, ev_id)
      ),
      acc AS (
        SELECT r.*, v.user_id AS owner_id, a.comment_policy::text AS policy,
          v.id IS NOT NULL AND coalesce(${videoVisibleToSql(sql`r.user_id`)}, false) AS visible,
          (r.user_id = v.user_id OR a.comment_policy = 'everyone'
            OR (a.comment_policy = 'followers' AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = r.user_id AND f.followee_id = v.user_id))) AS open,
          coalesce(r.user_id <> v.user_id AND EXISTS (SELECT 1 FROM unnest(a.comment_filter) w WHERE w <> '' AND strpos(r.norm, w) > 0), false) AS filtered,
          p.id AS p_id, p.video_id AS p_video, p.parent_id AS p_parent, p.user_id AS p_author, p.hidden AS p_hidden, pu.username AS p_name,
          (p.id IS NOT NULL AND (NOT p.hidden OR p.user_id = r.user_id) AND ${notBlockedSql(sql`p.user_id`, sql`r.user_id`)}
            AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = r.user_id AND m.muted_id = p.user_id)
            AND (p.video_id = r.video_id OR EXISTS (
              SELECT 1 FROM videos v JOIN users a ON a.id = v.user_id WHERE v.id = p.video_id AND ${videoVisibleToSql(sql`r.user_id`)}))) AS p_visible
        FROM req r LEFT JOIN videos v ON v.id = r.video_id LEFT JOIN users a ON a.id = v.user_id
          LEFT JOIN comments p ON p.id = r.parent_in LEFT JOIN users pu ON pu.id = p.user_id
      ),
      st AS (
        SELECT acc.*, u.display_name, u.avatar_key, u.created_at AS joined,
          CASE WHEN NOT acc.visible THEN 'no_video'
            WHEN NOT acc.open THEN acc.policy
            WHEN acc.pre = 'mentions' THEN 'mentions'
            WHEN acc.parent_in IS NOT NULL AND NOT acc.p_visible THEN 'no_parent'
            WHEN acc.parent_in IS NOT NULL AND acc.p_video <> acc.video_id THEN 'wrong_video'
            WHEN acc.parent_in IS NOT NULL AND acc.p_hidden THEN 'no_parent'
            WHEN acc.pre = 'links' THEN 'links' END AS refusal,
          CASE WHEN acc.p_id IS NOT NULL THEN coalesce(acc.p_parent, acc.p_id) END AS root_id,
          CASE WHEN acc.p_parent IS NOT NULL THEN acc.p_author END AS reply_to_id,
          CASE WHEN acc.p_parent IS NOT NULL THEN acc.p_name END AS reply_to_name
        FROM acc JOIN users u ON u.id = acc.user_id
      ),
      chk AS (
        SELECT st.*,
          CASE WHEN st.refusal IS NULL THEN (SELECT count(*)::int FROM comments c WHERE c.user_id = st.user_id AND c.created_at > ${new Date(now - 60_000)}) ELSE 0 END AS minute,
          CASE WHEN st.refusal IS NULL THEN (SELECT count(*)::int FROM comments c WHERE c.user_id = st.user_id AND c.created_at > ${new Date(now - 3600_000)}) ELSE 0 END AS hour,
          st.refusal IS NULL AND EXISTS (SELECT 1 FROM comments c WHERE c.user_id = st.user_id AND c.body_hash = st.body_hash
            AND c.created_at > ${new Date(now - limits.duplicateWindowMs)}) AS dup
        FROM st
      ),
      ins AS (
        INSERT INTO comments (id, video_id, user_id, parent_id, reply_to_id, body, body_hash, hidden)
        SELECT id, video_id, user_id, root_id, reply_to_id, body, body_hash, filtered FROM chk
        WHERE refusal IS NULL AND minute < ${limits.perMinute} AND hour < ${limits.perHour} AND NOT dup
          AND (links = 0 OR joined <= ${new Date(now - limits.newAccountMs)})
        RETURNING id, hidden, created_at
      ),
      done AS (SELECT chk.* FROM chk JOIN ins ON ins.id = chk.id),
      cv AS (
        UPDATE videos SET comment_count = comment_count + c.n FROM (SELECT video_id, count(*)::int AS n FROM done WHERE NOT filtered GROUP BY video_id) c
        WHERE videos.id = c.video_id RETURNING videos.id
      ),
      cp AS (
        UPDATE comments SET reply_count = reply_count + c.n
        FROM (SELECT root_id, count(*)::int AS n FROM done WHERE NOT filtered AND root_id IS NOT NULL GROUP BY root_id) c
        WHERE comments.id = c.root_id RETURNING comments.id
      ),
      ev AS (INSERT INTO events (id, user_id, video_id, type) SELECT ev_id, user_id, video_id, 'comment' FROM done),
      -- The creator hears of it, unless they wrote it or already hear of it as the reply's addressee.
      n1 AS (${notifications.insertSql(
        'comment',
        sql`SELECT owner_id AS user_id, user_id AS actor_id, video_id, id AS comment_id, excerpt AS text FROM done
          WHERE NOT filtered AND owner_id IS DISTINCT FROM p_author`,
      )}),
      n2 AS (${notifications.insertSql(
        'reply',
        sql`SELECT p_author AS user_id, user_id AS actor_id, video_id, id AS comment_id, excerpt AS text FROM done WHERE NOT filtered AND p_author IS NOT NULL`,
      )}),
      men AS (SELECT * FROM unnest(${men.map((m) => m[0])}::int[], ${men.map((m) => m[1])}::text[]) AS m(i, name)),
      -- The people mentioned who can see the video, unless they already hear of it as its creator or addressee.
      n3 AS (${notifications.insertSql(
        'mention',
        sql`SELECT DISTINCT mu.id AS user_id, d.user_id AS actor_id, d.video_id, d.id AS comment_id, d.excerpt AS text
          FROM done d JOIN men ON men.i = d.i JOIN users mu ON lower(mu.username) = men.name
          WHERE NOT d.filtered AND mu.id <> d.user_id AND mu.id <> d.owner_id AND mu.id IS DISTINCT FROM d.p_author
            AND EXISTS (SELECT 1 FROM videos v JOIN users a ON a.id = v.user_id WHERE v.id = d.video_id AND ${videoVisibleToSql(sql`mu.id`)})`,
      )})
      SELECT chk.i, chk.refusal, chk.minute, chk.hour, chk.dup, ins.created_at, chk.display_name, chk.avatar_key, chk.root_id, chk.reply_to_name,
        chk.owner_id, chk.filtered AS hidden,
        CASE WHEN chk.i = 0 THEN (SELECT json_agg(json_build_object('user_id', x.user_id, 'seq', x.seq))
          FROM (SELECT user_id, seq FROM n1 UNION ALL SELECT user_id, seq FROM n2 UNION ALL SELECT user_id, seq FROM n3) x) END AS notes
      FROM chk LEFT JOIN ins ON ins.id = chk.id`.execute(trx);
    return rows;
  }

  async function runComments(batch: CommentRequest[]) {
    let rows: (CommentResult & { i: number })[];
    try {
      rows = await db.transaction().execute(async (trx) => {
        // One author's comments are checked and written one at a time — a batch holds at most one per
        // author, and on PostgreSQL their locks (taken in one order, so two processes' batches cannot
        // deadlock) keep another process's batch from racing past the limits; the check runs in the next
        // statement, so its snapshot includes whatever the locks waited for.
        await sql`SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended('comment:' || u, 0) AS k
          FROM unnest(${batch.map((b) => b.viewer.id)}::text[]) u) s ORDER BY k`.execute(trx);
        return commentBatch(trx, batch);
      });
    } catch (err) {
      // One bad request (a video or parent deleted mid-statement) must not fail the others: retry them one by one.
      if (batch.length > 1) {
        for (const b of batch) await runComments([b]);
        return;
      }
      const b = batch[0]!;
      if ((err as { code?: string }).code === '23503') return b.fail(notFound(b.parentId ? 'parent comment' : 'video'));
      return b.fail(err);
    }
    // Live delivery once committed (a listener reads its unread count on another connection).
    notifications.announce(rows.find((r) => r.notes)?.notes ?? []);
    const byI = new Map(rows.map((r) => [r.i, r]));
    for (const [i, b] of batch.entries()) {
      const r = byI.get(i);
      if (r) b.done(r);
      else b.fail(notFound('user'));
    }
  }

  function pumpComments() {
    if (commentBusy || commentScheduled || !commentQueue.length) return;
    commentScheduled = true;
    // Let the comments that arrive in this turn of the event loop join the batch.
    setImmediate(() => {
      commentScheduled = false;
      commentBusy = true;
      // At most one comment per author in a batch (in arrival order): the spam guards of a later one
      // must see the earlier one written.
      const batch: CommentRequest[] = [];
      const authors = new Set<string>();
      for (let i = 0; i < commentQueue.length && batch.length < MAX_COMMENT_BATCH;) {
        const b = commentQueue[i]!;
        if (authors.has(b.viewer.id)) {
          i++;
          continue;
        }
        authors.add(b.viewer.id);
        batch.push(b);
        commentQueue.splice(i, 1);
      }
      void runComments(batch).finally(() => {
        commentBusy = false;
        pumpComments();
      });
    });
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
      const text = body.text;
      const mentions = parseCaption(text).mentions;
      const links = countLinks(text);
      const req: CommentRequest = {
        viewer,
        id: crypto.randomUUID(),
        videoId,
        parentId: body.parentId ?? null,
        text,
        norm: text.normalize('NFKC').toLowerCase(),
        hash: crypto.createHash('sha256').update(normalizeForDup(text)).digest('hex').slice(0, 32),
        excerpt: text.slice(0, 140),
        links,
        // Refusals known before the database is asked; which one the caller hears still follows the
        // order of the checks (a closed video answers 403 before its too-many-mentions 400).
        pre: mentions.length > limits.maxMentions ? 'mentions' : links > limits.maxLinks ? 'links' : null,
        mentions: [...new Set(mentions.map((m) => m.toLowerCase()))],
        done: () => undefined,
        fail: () => undefined,
      };
      const r = await new Promise<CommentResult>((done, fail) => {
        req.done = done;
        req.fail = fail;
        commentQueue.push(req);
        pumpComments();
      });
      switch (r.refusal) {
        case 'no_video':
          throw notFound('video');
        case 'off':
          throw forbidden('The creator turned comments off', 'comments_closed');
        case 'followers':
          throw forbidden('Only followers of the creator can comment', 'comments_closed');
        case 'mentions':
          throw badRequest('too_many_mentions', `a comment may mention at most ${limits.maxMentions} people`);
        case 'no_parent':
          throw notFound('parent comment');
        case 'wrong_video':
          throw badRequest('wrong_video', 'the parent comment belongs to another video');
        case 'links':
          throw badRequest('too_many_links', `a comment may contain at most ${limits.maxLinks} links`);
        case null:
          break;
      }
      if (!r.created_at) {
        if (r.minute >= limits.perMinute) throw new AppError(429, 'comment_rate_limited', `slow down: at most ${limits.perMinute} comments a minute`);
        if (r.hour >= limits.perHour) throw new AppError(429, 'comment_rate_limited', `slow down: at most ${limits.perHour} comments an hour`);
        if (r.dup) throw conflict('duplicate_comment', 'you just posted the same comment');
        throw forbidden('new accounts cannot post links in comments yet', 'links_not_allowed');
      }
      // The answer from what is known (the statement returned the author's profile, the thread and the time).
      return toDto(
        {
          id: req.id,
          video_id: videoId,
          user_id: viewer.id,
          parent_id: r.root_id,
          body: text,
          hidden: r.hidden,
          like_count: 0,
          reply_count: 0,
          pinned_at: null,
          created_at: r.created_at,
          username: viewer.username,
          display_name: r.display_name,
          avatar_key: r.avatar_key,
          reply_to: r.reply_to_name,
          liked: false,
          owner_id: r.owner_id!,
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
