import crypto from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { NotificationType, type NotificationGroup, type UserSummary } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { Clock } from '../../platform/clock.ts';
import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';

export type NotifyInput = {
  /** The recipient. */
  userId: string;
  type: NotificationType;
  actorId?: string | null;
  videoId?: string | null;
  commentId?: string | null;
  /** Plain text shown with it (a comment excerpt, a moderation notice). */
  text?: string;
  /** Notifications with the same key fold into one inbox line; defaults by type. */
  groupKey?: string;
  /** A repeat with the same key is dropped; defaults by type (one like notification per actor and video). */
  dedupKey?: string | null;
};

type GroupCursor = { t: string; k: string };
const isGroupCursor = (v: unknown): v is GroupCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as GroupCursor).t === 'string' &&
  !Number.isNaN(Date.parse((v as GroupCursor).t)) &&
  typeof (v as GroupCursor).k === 'string';

/** How far back the inbox looks when grouping. */
const WINDOW_DAYS = 90;
const POLL_MS = 1000;

function keysFor(n: NotifyInput): { group: string; dedup: string | null } {
  const a = n.actorId ?? '';
  switch (n.type) {
    case 'like':
      return { group: `like:${n.videoId}`, dedup: `like:${n.videoId}:${a}` };
    case 'comment_like':
      return { group: `comment_like:${n.commentId}`, dedup: `comment_like:${n.commentId}:${a}` };
    case 'follow':
      return { group: 'follow', dedup: `follow:${a}` };
    case 'follow_request':
      return { group: 'follow_request', dedup: `follow_request:${a}` };
    case 'follow_accepted':
      return { group: `follow_accepted:${a}`, dedup: `follow_accepted:${a}` };
    case 'comment':
    case 'reply':
    case 'mention':
      return { group: `${n.type}:${n.commentId ?? crypto.randomUUID()}`, dedup: n.commentId ? `${n.type}:${n.commentId}` : null };
    case 'gift':
    case 'moderation':
    case 'system':
      return { group: `${n.type}:${crypto.randomUUID()}`, dedup: null };
  }
}

/** The types another module's write statement may notify inside itself (see `insertSql`). */
export type InlineNotificationType = 'like' | 'comment' | 'reply' | 'mention' | 'follow';

/** keysFor() in SQL, over a source row `s` (actor_id, video_id, comment_id). */
function keysSql(type: InlineNotificationType): { group: RawBuilder<string>; dedup: RawBuilder<string> } {
  switch (type) {
    case 'like':
      return { group: sql`'like:' || s.video_id`, dedup: sql`'like:' || s.video_id || ':' || s.actor_id` };
    case 'follow':
      return { group: sql`'follow'`, dedup: sql`'follow:' || s.actor_id` };
    case 'comment':
    case 'reply':
    case 'mention':
      // A literal from the fixed set above, never user input.
      return { group: sql`${sql.raw(`'${type}:'`)} || s.comment_id`, dedup: sql`${sql.raw(`'${type}:'`)} || s.comment_id` };
  }
}

/**
 * The inbox. Other modules call `notify()` (likes, comments, follows here; gifts and moderation
 * notices later). Each happening is one row; the inbox folds rows with the same group key. Live
 * delivery: `subscribe()` listeners in this process hear at once; rows written by other processes
 * are picked up by a 1 s poll of the `seq` column while anyone here is listening.
 */
export function createNotificationsService(deps: { db: Database; blob: BlobStore; clock: Clock }) {
  const { db, blob } = deps;
  const listeners = new Map<string, Set<() => void>>();
  const delivered = new Map<string, number>();
  let lastSeq: number | undefined;
  let poller: NodeJS.Timeout | undefined;
  let polling = false;

  function emit(userId: string, seq: number) {
    if ((delivered.get(userId) ?? 0) >= seq) return;
    delivered.set(userId, seq);
    for (const l of listeners.get(userId) ?? []) l();
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      if (lastSeq === undefined) {
        const r = await db
          .selectFrom('notifications')
          .select((eb) => eb.fn.max('seq').as('m'))
          .executeTakeFirst();
        lastSeq = Number(r?.m ?? 0);
        return;
      }
      const users = [...listeners.keys()];
      if (!users.length) return;
      const { rows } = await sql<{ user_id: string; seq: number }>`
        SELECT user_id, max(seq) AS seq FROM notifications WHERE seq > ${lastSeq} GROUP BY user_id`.execute(db);
      for (const r of rows) {
        lastSeq = Math.max(lastSeq, Number(r.seq));
        if (listeners.has(r.user_id)) emit(r.user_id, Number(r.seq));
      }
    } finally {
      polling = false;
    }
  }

  async function unread(userId: string): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      SELECT count(DISTINCT group_key)::int AS n FROM notifications n
      WHERE n.user_id = ${userId}::uuid AND n.read_at IS NULL AND n.created_at > now() - make_interval(days => ${WINDOW_DAYS})
        AND (n.actor_id IS NULL OR NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = n.user_id AND b.blocked_id = n.actor_id))`.execute(db);
    return rows[0]?.n ?? 0;
  }

  async function prefs(userId: string) {
    const rows = await db.selectFrom('notification_prefs').select(['type', 'enabled']).where('user_id', '=', userId).execute();
    const out = Object.fromEntries(NotificationType.options.map((t) => [t, true])) as Record<NotificationType, boolean>;
    for (const r of rows) if (r.type in out) out[r.type as NotificationType] = r.enabled;
    return { prefs: out };
  }

  return {
    /** Record a notification for `userId` unless it is about themselves, they turned the type off, or they blocked or muted the actor. */
    async notify(n: NotifyInput): Promise<boolean> {
      if (n.actorId && n.actorId === n.userId) return false;
      const keys = keysFor(n);
      const group = n.groupKey ?? keys.group;
      const dedup = n.dedupKey === undefined ? keys.dedup : n.dedupKey;
      const actor = n.actorId ?? null;
      const { rows } = await sql<{ seq: number }>`
        INSERT INTO notifications (id, user_id, type, actor_id, video_id, comment_id, group_key, dedup_key, text)
        SELECT ${crypto.randomUUID()}::uuid, ${n.userId}::uuid, ${n.type}, ${actor}::uuid, ${n.videoId ?? null}::uuid, ${n.commentId ?? null}::uuid,
          ${group}, ${dedup}, ${(n.text ?? '').slice(0, 300)}
        WHERE NOT EXISTS (SELECT 1 FROM notification_prefs p WHERE p.user_id = ${n.userId}::uuid AND p.type = ${n.type} AND NOT p.enabled)
          AND (${actor}::uuid IS NULL OR NOT EXISTS (
            SELECT 1 FROM blocks b WHERE b.blocker_id = ${n.userId}::uuid AND b.blocked_id = ${actor}::uuid
            UNION ALL SELECT 1 FROM mutes m WHERE m.muter_id = ${n.userId}::uuid AND m.muted_id = ${actor}::uuid))
        ON CONFLICT (user_id, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
        RETURNING seq`.execute(db);
      const seq = rows[0]?.seq;
      if (seq === undefined) return false;
      emit(n.userId, Number(seq));
      return true;
    },

    /**
     * The notify() rules as one INSERT … SELECT a write statement can carry as a CTE, so the source row,
     * its counter and its notification are one round trip (and one statement for a batch of them).
     * `source` is a SELECT of (user_id = recipient, actor_id, video_id, comment_id, text); rows about
     * oneself, turned-off types, and actors the recipient blocked or muted are skipped, and the dedup key
     * drops repeats. RETURNING (user_id, seq): pass those rows to `announce()` once the statement is done.
     */
    insertSql(type: InlineNotificationType, source: RawBuilder<unknown>): RawBuilder<unknown> {
      const keys = keysSql(type);
      return sql`INSERT INTO notifications (id, user_id, type, actor_id, video_id, comment_id, group_key, dedup_key, text)
        SELECT gen_random_uuid(), s.user_id, ${type}, s.actor_id, s.video_id, s.comment_id, ${keys.group}, ${keys.dedup}, left(coalesce(s.text, ''), 300)
        FROM (${source}) s
        WHERE s.user_id <> s.actor_id
          AND NOT EXISTS (SELECT 1 FROM notification_prefs p WHERE p.user_id = s.user_id AND p.type = ${type} AND NOT p.enabled)
          AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = s.user_id AND b.blocked_id = s.actor_id)
          AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = s.user_id AND m.muted_id = s.actor_id)
        ON CONFLICT (user_id, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
        RETURNING user_id, seq`;
    },

    /** Live delivery of rows an `insertSql` statement wrote. */
    announce(rows: readonly { user_id: string; seq: number | string }[]) {
      for (const r of rows) emit(r.user_id, Number(r.seq));
    },

    unread,

    async inbox(userId: string, limit: number, cursor?: string) {
      const c = decodeCursor(cursor, isGroupCursor);
      const having = c ? sql`HAVING (max(n.created_at), n.group_key) < (${new Date(c.t)}::timestamptz, ${c.k})` : sql``;
      const { rows } = await sql<{
        group_key: string;
        type: string;
        at: Date;
        count: number;
        actor_count: number;
        unread: boolean;
        actor_ids: string[] | null;
        video_id: string | null;
        comment_id: string | null;
        text: string;
      }>`
        SELECT n.group_key, (array_agg(n.type ORDER BY n.created_at DESC))[1] AS type, max(n.created_at) AS at, count(*)::int AS count,
          count(DISTINCT n.actor_id)::int AS actor_count, bool_or(n.read_at IS NULL) AS unread,
          (array_agg(n.actor_id ORDER BY n.created_at DESC) FILTER (WHERE n.actor_id IS NOT NULL))[1:3] AS actor_ids,
          (array_agg(n.video_id ORDER BY n.created_at DESC))[1] AS video_id,
          (array_agg(n.comment_id ORDER BY n.created_at DESC))[1] AS comment_id,
          (array_agg(n.text ORDER BY n.created_at DESC))[1] AS text
        FROM notifications n
        WHERE n.user_id = ${userId}::uuid AND n.created_at > now() - make_interval(days => ${WINDOW_DAYS})
          AND (n.actor_id IS NULL OR NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = n.user_id AND b.blocked_id = n.actor_id))
        GROUP BY n.group_key
        ${having}
        ORDER BY max(n.created_at) DESC, n.group_key DESC
        LIMIT ${limit + 1}`.execute(db);
      const page = rows.slice(0, limit);
      const actorIds = [...new Set(page.flatMap((r) => r.actor_ids ?? []))];
      const videoIds = [...new Set(page.map((r) => r.video_id).filter((x): x is string => !!x))];
      const actors = new Map<string, UserSummary>();
      if (actorIds.length)
        for (const u of await db.selectFrom('users').select(['id', 'username', 'display_name', 'avatar_key']).where('id', 'in', actorIds).execute())
          actors.set(u.id, { id: u.id, username: u.username, displayName: u.display_name, avatarUrl: u.avatar_key ? blob.url(u.avatar_key) : null });
      const posters = new Map<string, string | null>();
      if (videoIds.length)
        for (const v of await db.selectFrom('videos').select(['id', 'poster_key']).where('id', 'in', videoIds).execute())
          posters.set(v.id, v.poster_key ? blob.url(v.poster_key) : null);
      const items: NotificationGroup[] = page.map((r) => ({
        key: r.group_key,
        type: NotificationType.safeParse(r.type).success ? (r.type as NotificationType) : 'system',
        actors: (r.actor_ids ?? []).map((id) => actors.get(id)).filter((u): u is UserSummary => !!u),
        actorCount: r.actor_count,
        count: r.count,
        videoId: r.video_id,
        posterUrl: r.video_id ? (posters.get(r.video_id) ?? null) : null,
        commentId: r.comment_id,
        text: r.text,
        unread: r.unread,
        createdAt: new Date(r.at).toISOString(),
      }));
      const last = page.at(-1);
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor({ t: new Date(last.at).toISOString(), k: last.group_key }) : null,
        unread: await unread(userId),
      };
    },

    async markRead(userId: string, opts: { keys?: string[]; all?: true }) {
      let q = db.updateTable('notifications').set({ read_at: deps.clock.now() }).where('user_id', '=', userId).where('read_at', 'is', null);
      if (!opts.all && opts.keys) q = q.where('group_key', 'in', opts.keys);
      await q.execute();
      return { unread: await unread(userId) };
    },

    prefs,

    async setPrefs(userId: string, patch: Partial<Record<NotificationType, boolean>>) {
      const values = Object.entries(patch)
        .filter((e): e is [NotificationType, boolean] => typeof e[1] === 'boolean')
        .map(([type, enabled]) => ({ user_id: userId, type, enabled }));
      if (values.length)
        await db
          .insertInto('notification_prefs')
          .values(values)
          .onConflict((oc) => oc.columns(['user_id', 'type']).doUpdateSet((eb) => ({ enabled: eb.ref('excluded.enabled') })))
          .execute();
      return prefs(userId);
    },

    /** Hear when `userId` gets a notification (from this process at once, from others within a second). */
    subscribe(userId: string, listener: () => void): () => void {
      const set = listeners.get(userId) ?? listeners.set(userId, new Set()).get(userId)!;
      set.add(listener);
      if (!poller) {
        void poll().catch(() => undefined);
        poller = setInterval(() => void poll().catch(() => undefined), POLL_MS);
        poller.unref();
      }
      return () => {
        set.delete(listener);
        if (!set.size) listeners.delete(userId);
        if (!listeners.size && poller) {
          clearInterval(poller);
          poller = undefined;
          lastSeq = undefined;
        }
      };
    },

    stop() {
      if (poller) clearInterval(poller);
      poller = undefined;
      listeners.clear();
    },
  };
}
export type NotificationsService = ReturnType<typeof createNotificationsService>;
