import crypto from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { EngagementSettings, SocialProfile, UserList, VideoList } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import { decodeCursor, encodeCursor, isTimeCursor } from '../../shared/cursor.ts';
import { badRequest, forbidden, notFound } from '../../http/errors.ts';
import type { IdentityService, SessionUser } from '../identity/identity.service.ts';
import type { UserRow } from '../identity/identity.repo.ts';
import type { VideosRepo } from '../videos/videos.repo.ts';
import type { VideosService } from '../videos/videos.service.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { createViewerRelations } from './viewer-relations.ts';

const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * SQL predicate: may `viewerId` (undefined: signed out) see the video aliased `v` whose author is
 * aliased `a`? Its creator always; others only ready, non-private videos, followers-only ones and
 * private accounts' ones when following, and never across a block (either way). The one definition
 * the engagement module reuses, so likes, saves and comments follow the same rules as the profile.
 */
export function videoVisibleSql(viewerId: string | undefined): RawBuilder<boolean> {
  return videoVisibleToSql(sql`${viewerId ?? NIL}::uuid`);
}

/** videoVisibleSql for a viewer given as SQL (a column, for statements that serve many viewers at once). */
export function videoVisibleToSql(me: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(v.user_id = ${me} OR (
    v.status = 'ready' AND v.visibility <> 'private'
    AND ((v.visibility = 'public' AND NOT a.is_private)
      OR EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ${me} AND f.followee_id = v.user_id))
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = v.user_id AND b.blocked_id = ${me}) OR (b.blocker_id = ${me} AND b.blocked_id = v.user_id))
  ))`;
}

/** SQL predicate: neither user blocked the other. */
export function notBlockedSql(a: RawBuilder<string> | string, b: RawBuilder<string> | string): RawBuilder<boolean> {
  const x = typeof a === 'string' ? sql`${a}::uuid` : a;
  const y = typeof b === 'string' ? sql`${b}::uuid` : b;
  return sql<boolean>`NOT EXISTS (SELECT 1 FROM blocks bl WHERE (bl.blocker_id = ${x} AND bl.blocked_id = ${y}) OR (bl.blocker_id = ${y} AND bl.blocked_id = ${x}))`;
}

/** Follows waiting for the next batch statement; at most this many go in one. */
const MAX_FOLLOW_BATCH = 256;
type FollowRow = UserRow & {
  is_private: boolean;
  likes_public: boolean;
  comment_policy: 'everyone' | 'followers' | 'off';
  comment_filter: string[];
  country: string | null;
  i: number;
  /** A plain follow: the account exists, is public, is not the viewer, no block either way, not followed before. */
  f_ok: boolean;
  f_inserted: boolean;
  f_follows_you: boolean;
  f_requested: boolean;
  f_muted: boolean;
  n_followers: number;
  n_following: number;
  n_videos: number;
  notes: { user_id: string; seq: number }[] | null;
};
type FollowRequest = { viewer: SessionUser; name: string; videoId: string | null; done: (r: FollowRow | undefined) => void; fail: (err: unknown) => void };

type Relation = { following: boolean; followsYou: boolean; requested: boolean; blocked: boolean; blockedBy: boolean; muted: boolean };

export function createSocialService(deps: {
  db: Database;
  identity: IdentityService;
  videosRepo: VideosRepo;
  videos: VideosService;
  notifications: NotificationsService;
}) {
  const { db, identity, videosRepo, videos, notifications } = deps;
  /** Each signed-in viewer's blocks, mutes and follows, for the feeds (dropped at once on every write below). */
  const relations = createViewerRelations(db);

  async function userOr404(username: string) {
    const u = await identity.byUsername(username);
    if (!u) throw notFound('user');
    return u;
  }

  const settingsDto = (s: Awaited<ReturnType<typeof settingsOf>>): EngagementSettings => ({
    isPrivate: s.is_private,
    likesPublic: s.likes_public,
    commentPolicy: s.comment_policy,
    commentFilter: s.comment_filter,
    country: s.country,
  });

  async function settingsOf(userId: string) {
    return db
      .selectFrom('users')
      .select(['is_private', 'likes_public', 'comment_policy', 'comment_filter', 'country'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
  }

  async function relation(viewerId: string | undefined, otherId: string): Promise<Relation> {
    if (!viewerId || viewerId === otherId) return { following: false, followsYou: false, requested: false, blocked: false, blockedBy: false, muted: false };
    const r = await db
      .selectNoFrom((eb) => [
        eb.exists(eb.selectFrom('follows').select('follower_id').where('follower_id', '=', viewerId).where('followee_id', '=', otherId)).as('following'),
        eb.exists(eb.selectFrom('follows').select('follower_id').where('follower_id', '=', otherId).where('followee_id', '=', viewerId)).as('followsYou'),
        eb
          .exists(eb.selectFrom('follow_requests').select('requester_id').where('requester_id', '=', viewerId).where('target_id', '=', otherId))
          .as('requested'),
        eb.exists(eb.selectFrom('blocks').select('blocker_id').where('blocker_id', '=', viewerId).where('blocked_id', '=', otherId)).as('blocked'),
        eb.exists(eb.selectFrom('blocks').select('blocker_id').where('blocker_id', '=', otherId).where('blocked_id', '=', viewerId)).as('blockedBy'),
        eb.exists(eb.selectFrom('mutes').select('muter_id').where('muter_id', '=', viewerId).where('muted_id', '=', otherId)).as('muted'),
      ])
      .executeTakeFirstOrThrow();
    return {
      following: !!r.following,
      followsYou: !!r.followsYou,
      requested: !!r.requested,
      blocked: !!r.blocked,
      blockedBy: !!r.blockedBy,
      muted: !!r.muted,
    };
  }

  /** Someone who blocked the viewer does not exist for them. */
  async function visibleUserOr404(username: string, viewer: SessionUser | undefined) {
    const u = await userOr404(username);
    const rel = await relation(viewer?.id, u.id);
    if (rel.blockedBy) throw notFound('user');
    const s = await settingsOf(u.id);
    const isMe = viewer?.id === u.id;
    const canSeeVideos = isMe || (!rel.blocked && (!s.is_private || rel.following));
    return { u, rel, s, isMe, canSeeVideos };
  }

  async function profileOf(username: string, viewer: SessionUser | undefined): Promise<SocialProfile> {
    const vis = await visibleUserOr404(username, viewer);
    const u = vis.u;
    const counts = await db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('follows')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('followee_id', '=', u.id)
          .as('followers'),
        eb
          .selectFrom('follows')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('follower_id', '=', u.id)
          .as('following'),
        eb
          .selectFrom('videos')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('user_id', '=', u.id)
          .where('status', '=', 'ready')
          .where('visibility', '=', 'public')
          .as('videos'),
      ])
      .executeTakeFirstOrThrow();
    return profileDto(vis, counts);
  }

  function profileDto(
    { u, rel, s, isMe, canSeeVideos }: Awaited<ReturnType<typeof visibleUserOr404>>,
    counts: { followers: number | string | null; following: number | string | null; videos: number | string | null },
  ): SocialProfile {
    return {
      ...identity.summary(u),
      bio: rel.blocked ? '' : u.bio,
      followers: Number(counts.followers),
      following: Number(counts.following),
      videos: Number(counts.videos),
      isFollowing: rel.following,
      isMe,
      isPrivate: s.is_private,
      requested: rel.requested,
      followsYou: rel.followsYou,
      blocked: rel.blocked,
      muted: rel.muted,
      likesPublic: s.likes_public,
      canSeeVideos,
    };
  }

  async function listVideos(userId: string, viewer: SessionUser | undefined, limit: number, cursor: string | undefined): Promise<VideoList> {
    const isMe = viewer?.id === userId;
    const follows = !isMe && viewer ? await videosRepo.isFollowing(viewer.id, userId) : false;
    const { rows, nextCursor } = await videosRepo.page('created_at', limit, cursor, (q) => {
      const own = q.where('videos.user_id', '=', userId);
      return isMe ? own : own.where('videos.status', '=', 'ready').where('videos.visibility', 'in', follows ? ['public', 'followers'] : ['public']);
    });
    return { items: rows.map((r) => videos.toDto(r)), nextCursor };
  }

  /** A page of users joined through `edge` (followers, following, requests, blocks), newest edge first. */
  async function userPage(
    viewer: SessionUser | undefined,
    edge: 'followers' | 'following' | 'requests' | 'blocks',
    ownerId: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<UserList> {
    const c = decodeCursor(cursor, isTimeCursor);
    const me = viewer?.id ?? NIL;
    const src =
      edge === 'followers'
        ? sql`SELECT follower_id AS uid, created_at FROM follows WHERE followee_id = ${ownerId}::uuid`
        : edge === 'following'
          ? sql`SELECT followee_id AS uid, created_at FROM follows WHERE follower_id = ${ownerId}::uuid`
          : edge === 'requests'
            ? sql`SELECT requester_id AS uid, created_at FROM follow_requests WHERE target_id = ${ownerId}::uuid`
            : sql`SELECT blocked_id AS uid, created_at FROM blocks WHERE blocker_id = ${ownerId}::uuid`;
    const after = c ? sql`AND (e.created_at, e.uid) < (${new Date(c.t)}, ${c.id}::uuid)` : sql``;
    // Mutual invisibility: a list never shows the viewer someone either of them blocked (except the block list itself).
    const hideBlocked = edge === 'blocks' ? sql`` : sql`AND ${notBlockedSql(sql`e.uid`, me)}`;
    const { rows } = await sql<UserRow & { edge_at: Date; is_following: boolean }>`
      SELECT u.*, e.created_at AS edge_at,
        EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ${me}::uuid AND f.followee_id = u.id) AS is_following
      FROM (${src}) e JOIN users u ON u.id = e.uid
      WHERE true ${after} ${hideBlocked}
      ORDER BY e.created_at DESC, e.uid DESC
      LIMIT ${limit + 1}`.execute(db);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({ ...identity.summary(r), isFollowing: r.is_following, isMe: r.id === viewer?.id })),
      nextCursor: rows.length > limit && last ? encodeCursor({ t: new Date(last.edge_at).toISOString(), id: last.id }) : null,
    };
  }

  /**
   * Which authors have private accounts, for viewers who are not signed in (the feed asks on every
   * page): remembered for PRIVACY_TTL_MS, fetched in one query for the misses, and dropped at once
   * when an account in this process changes its setting (other processes see it within the TTL).
   */
  const PRIVACY_TTL_MS = 2000;
  const privacy = new Map<string, { at: number; isPrivate: boolean }>();
  async function privateAuthors(ids: string[]): Promise<Set<string>> {
    const now = Date.now();
    const out = new Set<string>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = privacy.get(id);
      if (hit && now - hit.at < PRIVACY_TTL_MS) {
        if (hit.isPrivate) out.add(id);
      } else missing.push(id);
    }
    if (missing.length) {
      if (privacy.size > 50_000) privacy.clear();
      const rows = await db.selectFrom('users').select(['id', 'is_private']).where('id', 'in', missing).execute();
      for (const r of rows) {
        privacy.set(r.id, { at: now, isPrivate: r.is_private });
        if (r.is_private) out.add(r.id);
      }
    }
    return out;
  }

  /** One follow, every case (the batch above hands over what is not a plain follow). */
  async function followOne(viewer: SessionUser, username: string, videoId?: string): Promise<SocialProfile> {
    const vis = await visibleUserOr404(username, viewer);
    const { u, rel, s } = vis;
    if (u.id === viewer.id) throw badRequest('cannot_follow_self', 'you cannot follow yourself');
    if (rel.blocked) throw forbidden('you blocked this user; unblock them first', 'blocked');
    if (rel.following) return profileOf(username, viewer);
    if (s.is_private) {
      const ins = await db
        .insertInto('follow_requests')
        .values({ requester_id: viewer.id, target_id: u.id })
        .onConflict((oc) => oc.doNothing())
        .returning('requester_id')
        .execute();
      if (ins.length) await notifications.notify({ userId: u.id, type: 'follow_request', actorId: viewer.id });
      return profileOf(username, viewer);
    }
    // One statement: the follow, the recommender's event (learnt from the video it happened on, only a
    // video of this creator), the notification, and the counts the answer shows (read before the
    // insert, so the new follower is added here).
    const { rows } = await sql<{ inserted: boolean; followers: number; following: number; videos: number; notes: { user_id: string; seq: number }[] | null }>`
        WITH ins AS (
          INSERT INTO follows (follower_id, followee_id) VALUES (${viewer.id}::uuid, ${u.id}::uuid) ON CONFLICT DO NOTHING RETURNING follower_id, followee_id
        ),
        ev AS (
          INSERT INTO events (id, user_id, video_id, type)
          SELECT ${`srv-${crypto.randomUUID()}`}, ${viewer.id}::uuid, v.id, 'follow' FROM videos v
          WHERE v.id = ${videoId ?? null}::uuid AND v.user_id = ${u.id}::uuid AND EXISTS (SELECT 1 FROM ins)
        ),
        nt AS (${notifications.insertSql(
          'follow',
          sql`SELECT followee_id AS user_id, follower_id AS actor_id, NULL::uuid AS video_id, NULL::uuid AS comment_id, NULL::text AS text FROM ins`,
        )})
        SELECT EXISTS (SELECT 1 FROM ins) AS inserted,
          (SELECT count(*) FROM follows WHERE followee_id = ${u.id}::uuid)::int AS followers,
          (SELECT count(*) FROM follows WHERE follower_id = ${u.id}::uuid)::int AS following,
          (SELECT count(*) FROM videos WHERE user_id = ${u.id}::uuid AND status = 'ready' AND visibility = 'public')::int AS videos,
          (SELECT json_agg(json_build_object('user_id', nt.user_id, 'seq', nt.seq)) FROM nt) AS notes`.execute(db);
    const r = rows[0]!;
    if (r.inserted) await relations.invalidate(viewer.id);
    notifications.announce(r.notes ?? []);
    return profileDto(
      { ...vis, rel: { ...rel, following: true }, canSeeVideos: true },
      { followers: r.followers + (r.inserted ? 1 : 0), following: r.following, videos: r.videos },
    );
  }

  const followQueue: FollowRequest[] = [];
  let followBusy = false;
  let followScheduled = false;

  /**
   * One statement for a batch of follows: per request (by index) the account by name, the relation
   * both ways, and — for a plain follow (a public account, not oneself, no block either way, not yet
   * followed) — the row, the event, the notification, and the counts the answer shows (read before the
   * insert). The first of two identical requests in a batch is the follow.
   */
  async function followBatch(batch: FollowRequest[]): Promise<FollowRow[]> {
    const { rows } = await sql<FollowRow>`
      WITH req AS (
        SELECT * FROM unnest(${batch.map((_, i) => i)}::int[], ${batch.map((b) => b.viewer.id)}::uuid[], ${batch.map((b) => b.name)}::text[],
          ${batch.map((b) => b.videoId)}::uuid[], ${batch.map(() => `srv-${crypto.randomUUID()}`)}::text[]) AS r(i, me, name, video_id, ev_id)
      ),
      t AS (
        SELECT r.*, u.id AS uid,
          u.id IS NOT NULL AND u.id <> r.me AND NOT u.is_private
            AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = r.me AND b.blocked_id = u.id) OR (b.blocker_id = u.id AND b.blocked_id = r.me))
            AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = r.me AND f.followee_id = u.id) AS ok
        FROM req r LEFT JOIN users u ON lower(u.username) = r.name
      ),
      ins AS (
        INSERT INTO follows (follower_id, followee_id) SELECT DISTINCT me, uid FROM t WHERE ok ON CONFLICT DO NOTHING RETURNING follower_id, followee_id
      ),
      first AS (
        SELECT DISTINCT ON (t.me, t.uid) t.* FROM t JOIN ins ON ins.follower_id = t.me AND ins.followee_id = t.uid ORDER BY t.me, t.uid, t.i
      ),
      ev AS (
        INSERT INTO events (id, user_id, video_id, type)
        SELECT f.ev_id, f.me, v.id, 'follow' FROM first f JOIN videos v ON v.id = f.video_id AND v.user_id = f.uid
      ),
      nt AS (${notifications.insertSql(
        'follow',
        sql`SELECT uid AS user_id, me AS actor_id, NULL::uuid AS video_id, NULL::uuid AS comment_id, NULL::text AS text FROM first`,
      )})
      SELECT t.i, t.ok AS f_ok, EXISTS (SELECT 1 FROM first WHERE first.i = t.i) AS f_inserted, u.*,
        CASE WHEN t.ok THEN EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = u.id AND f.followee_id = t.me) END AS f_follows_you,
        CASE WHEN t.ok THEN EXISTS (SELECT 1 FROM follow_requests q WHERE q.requester_id = t.me AND q.target_id = u.id) END AS f_requested,
        CASE WHEN t.ok THEN EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = t.me AND m.muted_id = u.id) END AS f_muted,
        CASE WHEN t.ok THEN (SELECT count(*) FROM follows WHERE followee_id = u.id)::int END AS n_followers,
        CASE WHEN t.ok THEN (SELECT count(*) FROM follows WHERE follower_id = u.id)::int END AS n_following,
        CASE WHEN t.ok THEN (SELECT count(*) FROM videos WHERE user_id = u.id AND status = 'ready' AND visibility = 'public')::int END AS n_videos,
        CASE WHEN t.i = 0 THEN (SELECT json_agg(json_build_object('user_id', nt.user_id, 'seq', nt.seq)) FROM nt) END AS notes
      FROM t LEFT JOIN users u ON u.id = t.uid`.execute(db);
    return rows;
  }

  async function runFollows(batch: FollowRequest[]) {
    let rows: FollowRow[];
    try {
      rows = await followBatch(batch);
    } catch (err) {
      // One bad request (an account deleted mid-statement) must not fail the others: retry them one by one.
      if (batch.length === 1) return batch[0]!.fail(err);
      for (const b of batch) await runFollows([b]);
      return;
    }
    notifications.announce(rows.find((r) => r.notes)?.notes ?? []);
    const byI = new Map(rows.map((r) => [r.i, r]));
    // One invalidation (one NOTIFY on PostgreSQL) for every viewer the batch changed, before anyone hears back.
    await relations.invalidate(...batch.filter((_, i) => byI.get(i)?.f_inserted).map((b) => b.viewer.id));
    for (const [i, b] of batch.entries()) b.done(byI.get(i));
  }

  function pumpFollows() {
    if (followBusy || followScheduled || !followQueue.length) return;
    followScheduled = true;
    // Let the follows that arrive in this turn of the event loop join the batch.
    setImmediate(() => {
      followScheduled = false;
      followBusy = true;
      void runFollows(followQueue.splice(0, MAX_FOLLOW_BATCH)).finally(() => {
        followBusy = false;
        pumpFollows();
      });
    });
  }

  return {
    relation,
    settingsOf,
    async profile(username: string, viewer: SessionUser | undefined) {
      return profileOf(username, viewer);
    },
    /**
     * Follow: group-committed like likes and comments — follows that arrive while the previous batch
     * runs wait for the next, and each batch is ONE statement for all of them (the account, the
     * relation both ways, the row, the recommender's event, the notification and the counts). A
     * request the batch cannot complete as a plain follow (no such user, self, blocks, a private
     * account's request, already following) is answered by the one-at-a-time path below.
     */
    async follow(viewer: SessionUser, username: string, videoId?: string): Promise<SocialProfile> {
      const r = await new Promise<FollowRow | undefined>((done, fail) => {
        followQueue.push({ viewer, name: username.toLowerCase(), videoId: videoId ?? null, done, fail });
        pumpFollows();
      });
      if (!r || !r.f_ok) return followOne(viewer, username, videoId);
      const { i: _i, f_ok: _ok, f_inserted, f_follows_you, f_requested, f_muted, n_followers, n_following, n_videos, notes: _n, ...u } = r;
      return profileDto(
        {
          u,
          rel: { following: true, followsYou: f_follows_you, requested: f_requested, blocked: false, blockedBy: false, muted: f_muted },
          s: { is_private: u.is_private, likes_public: u.likes_public, comment_policy: u.comment_policy, comment_filter: u.comment_filter, country: u.country },
          isMe: false,
          canSeeVideos: true,
        },
        { followers: n_followers + (f_inserted ? 1 : 0), following: n_following, videos: n_videos },
      );
    },
    async unfollow(viewer: SessionUser, username: string) {
      const u = await userOr404(username);
      await db.deleteFrom('follows').where('follower_id', '=', viewer.id).where('followee_id', '=', u.id).execute();
      await db.deleteFrom('follow_requests').where('requester_id', '=', viewer.id).where('target_id', '=', u.id).execute();
      await relations.invalidate(viewer.id);
      return profileOf(username, viewer);
    },
    async userVideos(username: string, viewer: SessionUser | undefined, limit: number, cursor?: string) {
      const { u, canSeeVideos, rel } = await visibleUserOr404(username, viewer);
      if (rel.blocked) throw forbidden('you blocked this user', 'blocked');
      if (!canSeeVideos) throw forbidden('this account is private: follow it to see its videos', 'private_account');
      return listVideos(u.id, viewer, limit, cursor);
    },
    myVideos: (viewer: SessionUser, limit: number, cursor?: string) => listVideos(viewer.id, viewer, limit, cursor),

    async followers(username: string, viewer: SessionUser | undefined, limit: number, cursor?: string) {
      const { u, canSeeVideos } = await visibleUserOr404(username, viewer);
      if (!canSeeVideos) throw forbidden('this account is private', 'private_account');
      return userPage(viewer, 'followers', u.id, limit, cursor);
    },
    async following(username: string, viewer: SessionUser | undefined, limit: number, cursor?: string) {
      const { u, canSeeVideos } = await visibleUserOr404(username, viewer);
      if (!canSeeVideos) throw forbidden('this account is private', 'private_account');
      return userPage(viewer, 'following', u.id, limit, cursor);
    },
    followRequests: (viewer: SessionUser, limit: number, cursor?: string) => userPage(viewer, 'requests', viewer.id, limit, cursor),
    blockedUsers: (viewer: SessionUser, limit: number, cursor?: string) => userPage(viewer, 'blocks', viewer.id, limit, cursor),
    async approveRequest(viewer: SessionUser, username: string) {
      const u = await userOr404(username);
      const approved = await db.transaction().execute(async (trx) => {
        const del = await trx
          .deleteFrom('follow_requests')
          .where('requester_id', '=', u.id)
          .where('target_id', '=', viewer.id)
          .returning('requester_id')
          .execute();
        if (!del.length) return false;
        await trx
          .insertInto('follows')
          .values({ follower_id: u.id, followee_id: viewer.id })
          .onConflict((oc) => oc.doNothing())
          .execute();
        return true;
      });
      if (!approved) throw notFound('follow request');
      await relations.invalidate(u.id);
      await notifications.notify({ userId: u.id, type: 'follow_accepted', actorId: viewer.id });
      return { ok: true as const };
    },
    async declineRequest(viewer: SessionUser, username: string) {
      const u = await userOr404(username);
      const del = await db
        .deleteFrom('follow_requests')
        .where('requester_id', '=', u.id)
        .where('target_id', '=', viewer.id)
        .returning('requester_id')
        .execute();
      if (!del.length) throw notFound('follow request');
      return { ok: true as const };
    },
    async removeFollower(viewer: SessionUser, username: string) {
      const u = await userOr404(username);
      const del = await db.deleteFrom('follows').where('follower_id', '=', u.id).where('followee_id', '=', viewer.id).returning('follower_id').execute();
      if (!del.length) throw notFound('follower');
      await relations.invalidate(u.id);
      return { ok: true as const };
    },
    async block(viewer: SessionUser, username: string) {
      const u = await userOr404(username);
      if (u.id === viewer.id) throw badRequest('cannot_block_self', 'you cannot block yourself');
      // Blocking also cuts every follow edge and pending request between the two, in both directions.
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('blocks')
          .values({ blocker_id: viewer.id, blocked_id: u.id })
          .onConflict((oc) => oc.doNothing())
          .execute();
        await trx
          .deleteFrom('follows')
          .where((eb) =>
            eb.or([
              eb.and([eb('follower_id', '=', viewer.id), eb('followee_id', '=', u.id)]),
              eb.and([eb('follower_id', '=', u.id), eb('followee_id', '=', viewer.id)]),
            ]),
          )
          .execute();
        await trx
          .deleteFrom('follow_requests')
          .where((eb) =>
            eb.or([
              eb.and([eb('requester_id', '=', viewer.id), eb('target_id', '=', u.id)]),
              eb.and([eb('requester_id', '=', u.id), eb('target_id', '=', viewer.id)]),
            ]),
          )
          .execute();
      });
      await relations.invalidate(viewer.id, u.id);
      return profileOf(username, viewer);
    },
    async unblock(viewer: SessionUser, username: string) {
      const u = await userOr404(username);
      await db.deleteFrom('blocks').where('blocker_id', '=', viewer.id).where('blocked_id', '=', u.id).execute();
      await relations.invalidate(viewer.id, u.id);
      return profileOf(username, viewer);
    },
    async mute(viewer: SessionUser, username: string) {
      const { u } = await visibleUserOr404(username, viewer);
      if (u.id === viewer.id) throw badRequest('cannot_mute_self', 'you cannot mute yourself');
      await db
        .insertInto('mutes')
        .values({ muter_id: viewer.id, muted_id: u.id })
        .onConflict((oc) => oc.doNothing())
        .execute();
      await relations.invalidate(viewer.id);
      return profileOf(username, viewer);
    },
    async unmute(viewer: SessionUser, username: string) {
      const u = await userOr404(username);
      await db.deleteFrom('mutes').where('muter_id', '=', viewer.id).where('muted_id', '=', u.id).execute();
      await relations.invalidate(viewer.id);
      return profileOf(username, viewer);
    },
    async settings(viewer: SessionUser): Promise<EngagementSettings> {
      const s = await settingsOf(viewer.id);
      return settingsDto(s);
    },
    async updateSettings(viewer: SessionUser, patch: Partial<EngagementSettings>): Promise<EngagementSettings> {
      const set: {
        is_private?: boolean;
        likes_public?: boolean;
        comment_policy?: EngagementSettings['commentPolicy'];
        comment_filter?: string[];
        country?: string | null;
      } = {};
      if (patch.country !== undefined) set.country = patch.country;
      if (patch.isPrivate !== undefined) set.is_private = patch.isPrivate;
      if (patch.likesPublic !== undefined) set.likes_public = patch.likesPublic;
      if (patch.commentPolicy !== undefined) set.comment_policy = patch.commentPolicy;
      if (patch.commentFilter !== undefined) set.comment_filter = [...new Set(patch.commentFilter)];
      await db.transaction().execute(async (trx) => {
        if (Object.keys(set).length) await trx.updateTable('users').set(set).where('id', '=', viewer.id).execute();
        // Going public: whoever was waiting is let in.
        if (patch.isPrivate === false) {
          await sql`INSERT INTO follows (follower_id, followee_id, created_at)
            SELECT requester_id, target_id, created_at FROM follow_requests WHERE target_id = ${viewer.id}::uuid
            ON CONFLICT DO NOTHING`.execute(trx);
          await trx.deleteFrom('follow_requests').where('target_id', '=', viewer.id).execute();
        }
      });
      privacy.delete(viewer.id);
      const s = await settingsOf(viewer.id);
      return settingsDto(s);
    },
    /**
     * The feed's visibility hook: of `authorIds`, those whose videos `viewerId` must not be shown
     * (a block either way, a mute, or a private account the viewer does not follow).
     */
    async hiddenAuthors(viewerId: string | undefined, authorIds: string[]): Promise<Set<string>> {
      const ids = [...new Set(authorIds)].filter((id) => id !== viewerId);
      if (!ids.length) return new Set();
      // Both parts are cached (this runs on every feed page): private flags per author for 2 s,
      // the viewer's blocks, mutes and follows per viewer, dropped at once when they change here.
      const priv = await privateAuthors(ids);
      if (!viewerId) return priv;
      const rel = await relations.of(viewerId);
      return new Set(ids.filter((id) => rel.hidden.has(id) || (priv.has(id) && !rel.follows.has(id))));
    },
    /** Whom this viewer follows (cached with their blocks and mutes; the recommender's `following` source). */
    async followeesOf(viewerId: string): Promise<ReadonlySet<string>> {
      return (await relations.of(viewerId)).follows;
    },
    /** The per-viewer cache itself (tests read how often it went to the database). */
    viewerRelations: relations,
  };
}
export type SocialService = ReturnType<typeof createSocialService>;
