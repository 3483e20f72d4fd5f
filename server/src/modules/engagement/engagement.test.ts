import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@flick/contracts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import { countLinks, matchesFilter, normalizeForDup } from './comments.service.ts';

const rejects = (p: Promise<unknown>, status: number, code?: string) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.status, status, `${e.code}: ${e.message}`);
    if (code) assert.equal(e.code, code, e.message);
    return true;
  });

/** Make an account old enough that the new-account link rule does not apply. */
async function age(t: TestApp, u: TestUser, days = 30) {
  await t.ctx.dbh.db
    .updateTable('users')
    .set({ created_at: new Date(Date.now() - days * 86_400_000) })
    .where('id', '=', u.me.id)
    .execute();
}

async function counters(t: TestApp, videoId: string) {
  return t.ctx.dbh.db.selectFrom('videos').select(['like_count', 'comment_count', 'save_count']).where('id', '=', videoId).executeTakeFirstOrThrow();
}

describe('pure helpers', () => {
  test('links, duplicate normalisation and keyword filter', () => {
    assert.equal(countLinks('see https://x.example/a and www.spam.biz and cheap.pills.ru/buy'), 3);
    assert.equal(countLinks('no links here, just words. and a.b'), 0);
    assert.equal(normalizeForDup('Great  VIDEO!!!'), normalizeForDup('great video'));
    assert.ok(matchesFilter('This is SPAMMY', ['spam']));
    assert.ok(!matchesFilter('lovely', ['spam']));
  });
});

describe('likes, saves, comments', () => {
  let t: TestApp;
  let creator: TestUser;
  let fan: TestUser;
  let other: TestUser;
  let video: string;
  before(async () => {
    t = await createTestApp();
    creator = await t.newUser();
    fan = await t.newUser();
    other = await t.newUser();
    for (const u of [creator, fan, other]) await age(t, u);
    video = await insertReadyVideo(t, { userId: creator.me.id, caption: 'hello #world', at: new Date() });
  });
  after(() => t.close());

  test('a like is idempotent, counted once under concurrency, reported to the recommender and notified once', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => fan.client.call('likeVideo', { params: { id: video } })));
    assert.ok(results.every((r) => r.liked));
    assert.equal((await counters(t, video)).like_count, 1);
    assert.equal((await fan.client.call('likeVideo', { params: { id: video } })).likes, 1);
    const events = await t.ctx.dbh.db.selectFrom('events').select('type').where('video_id', '=', video).where('user_id', '=', fan.me.id).execute();
    assert.deepEqual(
      events.map((e) => e.type),
      ['like'],
    );
    const state = await fan.client.call('engagement', { query: { ids: video } });
    assert.deepEqual(state.items[0], { videoId: video, liked: true, saved: false, collectionId: null, likes: 1, comments: 0, saves: 0, shares: 0 });
    // Unlike twice: counted once, and like again does not notify twice.
    assert.deepEqual(await fan.client.call('unlikeVideo', { params: { id: video } }), { liked: false, likes: 0 });
    assert.deepEqual(await fan.client.call('unlikeVideo', { params: { id: video } }), { liked: false, likes: 0 });
    await fan.client.call('likeVideo', { params: { id: video } });
    await other.client.call('likeVideo', { params: { id: video } });
    const inbox = await creator.client.call('notifications', { query: {} });
    const likes = inbox.items.find((i) => i.type === 'like')!;
    assert.equal(likes.actorCount, 2);
    assert.equal(likes.count, 2);
    assert.equal(likes.videoId, video);
    assert.deepEqual(likes.actors.map((a) => a.username).sort(), [fan.me.username, other.me.username].sort());
    assert.equal((await t.anon.call('video', { params: { id: video } })).stats.likes, 2);
  });

  test('likes are group-committed: a burst of concurrent likes on several videos, in one batch or many, counts and notifies exactly', async () => {
    const db = t.ctx.dbh.db;
    const creator2 = await t.newUser();
    const vids = await Promise.all([0, 1, 2].map((i) => insertReadyVideo(t, { userId: creator2.me.id, caption: `burst ${i}`, at: new Date() })));
    const hidden = await insertReadyVideo(t, { userId: creator2.me.id, caption: 'private one', at: new Date(), visibility: 'private' });
    const fans = await Promise.all(Array.from({ length: 12 }, () => t.newUser()));
    // One fan is blocked by the creator: they cannot see (404), so nothing of theirs is stored.
    await db.insertInto('blocks').values({ blocker_id: creator2.me.id, blocked_id: fans[0]!.me.id }).execute();
    const session = (u: TestUser): SessionUser => ({ id: u.me.id, username: u.me.username, roles: ['user'], isMinor: false });
    // Every fan likes every video twice, plus the private one, all at once through the service (no HTTP in between).
    const calls = fans.flatMap((f) =>
      [...vids, ...vids, hidden].map((v) =>
        t.ctx.engagement.like(session(f), v).then(
          (r) => ({ ok: true as const, r }),
          (e: unknown) => ({ ok: false as const, e }),
        ),
      ),
    );
    const out = await Promise.all(calls);
    const refused = out.filter((o) => !o.ok);
    assert.equal(refused.length, 12 + 6, 'the private video for everyone, and every video for the blocked fan');
    assert.ok(refused.every((o) => !o.ok && o.e instanceof Error && /not found/i.test(o.e.message)));
    for (const v of vids) {
      const c = await counters(t, v);
      assert.equal(c.like_count, 11, 'eleven fans, each counted once');
      const rows = await db
        .selectFrom('likes')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('video_id', '=', v)
        .executeTakeFirstOrThrow();
      assert.equal(Number(rows.n), 11);
      const ev = await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('video_id', '=', v)
        .where('type', '=', 'like')
        .executeTakeFirstOrThrow();
      assert.equal(Number(ev.n), 11, 'one recommender event per like');
    }
    assert.equal((await counters(t, hidden)).like_count, 0);
    const answers = out.flatMap((o) => (o.ok ? [o.r.likes] : []));
    assert.ok(
      answers.every((n) => n >= 1 && n <= 11),
      'each caller sees a count that includes its own like',
    );
    const inbox = await creator2.client.call('notifications', { query: {} });
    const likeGroups = inbox.items.filter((i) => i.type === 'like');
    assert.equal(likeGroups.length, 3, 'one group per video');
    assert.ok(
      likeGroups.every((g) => g.count === 11 && g.actorCount === 11),
      JSON.stringify(likeGroups.map((g) => g.count)),
    );
    // A like after the burst answers with the exact count.
    const late = await t.newUser();
    assert.equal((await late.client.call('likeVideo', { params: { id: vids[0]! } })).likes, 12);
  });

  test('liking needs a session, a real visible video; deleted or private videos are 404', async () => {
    await rejects(t.anon.call('likeVideo', { params: { id: video } }), 401);
    await rejects(fan.client.call('likeVideo', { params: { id: crypto.randomUUID() } }), 404);
    await rejects(fan.client.call('likeVideo', { params: { id: 'not-a-uuid' } }), 400);
    const priv = await insertReadyVideo(t, { userId: creator.me.id, caption: 'secret', at: new Date(), visibility: 'private' });
    await rejects(fan.client.call('likeVideo', { params: { id: priv } }), 404);
    await rejects(fan.client.call('addComment', { params: { id: priv }, body: { text: 'hi' } }), 404);
    await rejects(fan.client.call('saveVideo', { params: { id: priv }, body: {} }), 404);
    await rejects(fan.client.call('comments', { params: { id: priv }, query: {} }), 404);
    assert.equal((await creator.client.call('likeVideo', { params: { id: priv } })).likes, 1, 'the creator may like their own private video');
    const gone = await insertReadyVideo(t, { userId: creator.me.id, caption: 'soon gone', at: new Date() });
    await creator.client.call('deleteVideo', { params: { id: gone } });
    await rejects(fan.client.call('likeVideo', { params: { id: gone } }), 404);
    const st = await fan.client.call('engagement', { query: { ids: `${priv},${video}` } });
    assert.deepEqual(
      st.items.map((i) => i.videoId),
      [video],
      'engagement state leaves out what the viewer cannot see',
    );
  });

  test('saves go into named collections; counts stay true; collections are private to their owner', async () => {
    const col = await fan.client.call('createCollection', { body: { name: 'Recipes' } });
    await rejects(fan.client.call('createCollection', { body: { name: 'recipes' } }), 409, 'collection_exists');
    await rejects(fan.client.call('createCollection', { body: { name: '   ' } }), 400);
    await Promise.all([
      fan.client.call('saveVideo', { params: { id: video }, body: { collectionId: col.id } }),
      fan.client.call('saveVideo', { params: { id: video }, body: { collectionId: col.id } }),
    ]);
    assert.equal((await counters(t, video)).save_count, 1);
    const list = await fan.client.call('collections');
    assert.equal(list.saved, 1);
    assert.equal(list.items[0]!.videos, 1);
    assert.deepEqual(
      (await fan.client.call('savedVideos', { query: { collectionId: col.id } })).items.map((v) => v.id),
      [video],
    );
    // Moving to "All saved" only keeps it saved once.
    const moved = await fan.client.call('saveVideo', { params: { id: video }, body: { collectionId: null } });
    assert.deepEqual(moved, { saved: true, collectionId: null, saves: 1 });
    // Another user cannot use, see, rename or delete it.
    await rejects(other.client.call('saveVideo', { params: { id: video }, body: { collectionId: col.id } }), 404);
    await rejects(other.client.call('savedVideos', { query: { collectionId: col.id } }), 404);
    await rejects(other.client.call('renameCollection', { params: { id: col.id }, body: { name: 'mine' } }), 404);
    await rejects(other.client.call('deleteCollection', { params: { id: col.id } }), 404);
    assert.equal((await fan.client.call('renameCollection', { params: { id: col.id }, body: { name: 'Food' } })).name, 'Food');
    await fan.client.call('deleteCollection', { params: { id: col.id } });
    assert.equal((await fan.client.call('unsaveVideo', { params: { id: video } })).saves, 0);
    assert.equal((await fan.client.call('unsaveVideo', { params: { id: video } })).saves, 0);
    assert.equal((await fan.client.call('collections')).saved, 0);
  });

  test('comments: threads, replies, likes, pin, sort, pagination, notifications', async () => {
    const v = await insertReadyVideo(t, { userId: creator.me.id, caption: 'thread me', at: new Date() });
    const c1 = await fan.client.call('addComment', { params: { id: v }, body: { text: 'first! @' + other.me.username } });
    assert.equal(c1.text, 'first! @' + other.me.username);
    assert.deepEqual(c1.mentions, [other.me.username.toLowerCase()]);
    const c2 = await other.client.call('addComment', { params: { id: v }, body: { text: 'second' } });
    const r1 = await creator.client.call('addComment', { params: { id: v }, body: { text: 'thanks', parentId: c1.id } });
    assert.equal(r1.parentId, c1.id);
    assert.ok(r1.byCreator);
    // A reply to a reply joins the thread and says whom it answers.
    const r2 = await fan.client.call('addComment', { params: { id: v }, body: { text: 'yw', parentId: r1.id } });
    assert.equal(r2.parentId, c1.id);
    assert.equal(r2.replyTo, creator.me.username);
    await other.client.call('likeComment', { params: { id: c2.id } });
    await other.client.call('likeComment', { params: { id: c2.id } });
    await fan.client.call('likeComment', { params: { id: c2.id } });
    const top = await t.anon.call('comments', { params: { id: v }, query: { sort: 'top' } });
    assert.equal(top.total, 4);
    assert.deepEqual(
      top.items.map((c) => c.id),
      [c2.id, c1.id],
    );
    assert.equal(top.items[0]!.likes, 2);
    assert.equal(top.items[1]!.replies, 2);
    assert.equal(top.canComment, false);
    const newest = await fan.client.call('comments', { params: { id: v }, query: { sort: 'new', limit: 1 } });
    assert.deepEqual(
      newest.items.map((c) => c.id),
      [c2.id],
    );
    assert.equal(newest.items[0]!.liked, true);
    const page2 = await fan.client.call('comments', { params: { id: v }, query: { sort: 'new', limit: 1, cursor: newest.nextCursor! } });
    assert.deepEqual(
      page2.items.map((c) => c.id),
      [c1.id],
    );
    assert.equal(page2.nextCursor, null);
    const replies = await t.anon.call('commentReplies', { params: { id: c1.id }, query: {} });
    assert.deepEqual(
      replies.items.map((c) => c.id),
      [r1.id, r2.id],
    );
    // Pinning: creator only, top-level only; the pinned comment comes first.
    await rejects(fan.client.call('pinComment', { params: { id: c1.id } }), 403);
    await rejects(creator.client.call('pinComment', { params: { id: r1.id } }), 400, 'not_top_level');
    assert.ok((await creator.client.call('pinComment', { params: { id: c1.id } })).pinned);
    assert.deepEqual(
      (await t.anon.call('comments', { params: { id: v }, query: {} })).items.map((c) => c.id),
      [c1.id, c2.id],
    );
    await creator.client.call('pinComment', { params: { id: c2.id } });
    const pinned = (await t.anon.call('comments', { params: { id: v }, query: {} })).items;
    assert.deepEqual(
      pinned.map((c) => [c.id, c.pinned]),
      [
        [c2.id, true],
        [c1.id, false],
      ],
    );
    // Notifications: the creator heard of both comments, fan of the reply, other of the mention and the comment like.
    const creatorInbox = await creator.client.call('notifications', { query: {} });
    assert.equal(creatorInbox.items.filter((i) => i.type === 'comment' && i.videoId === v).length, 2);
    assert.ok(
      creatorInbox.items.some((i) => i.type === 'reply' && i.commentId === r2.id),
      'a reply to the creator reaches them as a reply (not also as a comment)',
    );
    const fanInbox = await fan.client.call('notifications', { query: {} });
    assert.ok(fanInbox.items.some((i) => i.type === 'reply' && i.commentId === r1.id && i.text === 'thanks'));
    const otherInbox = await other.client.call('notifications', { query: {} });
    assert.ok(otherInbox.items.some((i) => i.type === 'mention' && i.commentId === c1.id));
    assert.ok(otherInbox.items.some((i) => i.type === 'comment_like' && i.actorCount === 1));
    // Deleting: not someone else's; own yes; the creator may delete any on their video. Counters follow.
    await rejects(other.client.call('deleteComment', { params: { id: c1.id } }), 403);
    await rejects(other.client.call('unpinComment', { params: { id: c2.id } }), 403);
    await creator.client.call('deleteComment', { params: { id: c1.id } });
    assert.equal((await counters(t, v)).comment_count, 1, 'the thread and its two replies are gone');
    await other.client.call('deleteComment', { params: { id: c2.id } });
    assert.equal((await counters(t, v)).comment_count, 0);
    await rejects(other.client.call('deleteComment', { params: { id: c2.id } }), 404);
    assert.deepEqual(await t.ctx.engagement.reconcile([v]), { videos: 0, comments: 0 }, 'counters matched their rows');
  });

  test('bad comment input gets a clear 400 and stores nothing', async () => {
    const v = await insertReadyVideo(t, { userId: creator.me.id, caption: 'bad input', at: new Date() });
    const bad: [unknown, string][] = [
      [{ text: '' }, 'empty'],
      [{ text: '   \n ' }, 'empty'],
      [{ text: 'x'.repeat(501) }, 'at most 500'],
      [{ text: 'bell\u0007' }, 'control'],
      [{ text: 'rtl\u202etrick' }, 'control'],
      [{ text: 'ok', extra: 1 }, ''],
      [{ text: 42 }, ''],
      [{ text: 'reply', parentId: 'nope' }, 'not a comment id'],
    ];
    for (const [body, msg] of bad) {
      const res = await fetch(`${t.baseUrl}/api/videos/${v}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: fan.cookie },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 400, JSON.stringify(body));
      const err = (await res.json()) as { error: { code: string; message: string } };
      assert.match(err.error.message, new RegExp(msg), JSON.stringify(body));
    }
    await rejects(fan.client.call('addComment', { params: { id: v }, body: { text: 'reply', parentId: crypto.randomUUID() } }), 404);
    const bigBody = await fetch(`${t.baseUrl}/api/videos/${v}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: fan.cookie },
      body: JSON.stringify({ text: 'x'.repeat(2_000_000) }),
    });
    assert.equal(bigBody.status, 413);
    assert.equal((await t.ctx.dbh.db.selectFrom('comments').select('id').where('video_id', '=', v).execute()).length, 0);
    // HTML is stored and returned as written (clients render it as text), never interpreted.
    const html = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const c = await fan.client.call('addComment', { params: { id: v }, body: { text: html } });
    assert.equal(c.text, html);
    const raw = await fetch(`${t.baseUrl}/api/videos/${v}/comments`);
    assert.match(raw.headers.get('content-type') ?? '', /application\/json/);
  });

  test('spam guards: a flood of 1,000 comments is throttled, duplicates and new-account links refused', async () => {
    const v = await insertReadyVideo(t, { userId: creator.me.id, caption: 'flood', at: new Date() });
    const spammer = await t.newUser();
    await age(t, spammer);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          spammer.client.call('addComment', { params: { id: v }, body: { text: `spam number ${i + j}` } }).then(
            () => 201,
            (e: unknown) => (e instanceof ApiError ? e.status : 0),
          ),
        ),
      );
      for (const s of batch) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    assert.equal(statuses.get(201), 10, JSON.stringify([...statuses]));
    assert.equal(statuses.get(429), 990);
    assert.equal((await counters(t, v)).comment_count, 10);
    assert.equal((await t.ctx.dbh.db.selectFrom('comments').select('id').where('user_id', '=', spammer.me.id).execute()).length, 10);

    const dup = await t.newUser();
    await age(t, dup);
    await dup.client.call('addComment', { params: { id: v }, body: { text: 'Buy my stuff' } });
    await rejects(dup.client.call('addComment', { params: { id: v }, body: { text: 'buy   MY stuff!!' } }), 409, 'duplicate_comment');
    await rejects(dup.client.call('addComment', { params: { id: v }, body: { text: 'a https://a.example b www.b.biz c c.io' } }), 400, 'too_many_links');
    assert.ok(await dup.client.call('addComment', { params: { id: v }, body: { text: 'see https://a.example' } }));
    const fresh = await t.newUser();
    await rejects(fresh.client.call('addComment', { params: { id: v }, body: { text: 'visit spam.xyz now' } }), 403, 'links_not_allowed');
    assert.ok(await fresh.client.call('addComment', { params: { id: v }, body: { text: 'no links from me' } }));
  });

  test('creator controls: comments off, followers only, keyword filter hides from everyone but the author', async () => {
    const v = await insertReadyVideo(t, { userId: creator.me.id, caption: 'controls', at: new Date() });
    await rejects(fan.client.call('updateEngagementSettings', { body: { commentPolicy: 'nobody' as 'off' } }), 400);
    await creator.client.call('updateEngagementSettings', { body: { commentPolicy: 'off' } });
    await rejects(fan.client.call('addComment', { params: { id: v }, body: { text: 'let me in' } }), 403, 'comments_closed');
    const page = await fan.client.call('comments', { params: { id: v }, query: {} });
    assert.equal(page.canComment, false);
    assert.match(page.reason!, /turned comments off/);
    await creator.client.call('updateEngagementSettings', { body: { commentPolicy: 'followers' } });
    await rejects(fan.client.call('addComment', { params: { id: v }, body: { text: 'let me in' } }), 403, 'comments_closed');
    await fan.client.call('follow', { params: { username: creator.me.username } });
    assert.ok(await fan.client.call('addComment', { params: { id: v }, body: { text: 'now I can' } }));
    const s = await creator.client.call('updateEngagementSettings', { body: { commentPolicy: 'everyone', commentFilter: ['  Crypto ', 'scam'] } });
    assert.deepEqual(s.commentFilter, ['crypto', 'scam']);
    const hidden = await other.client.call('addComment', { params: { id: v }, body: { text: 'free CRYPTO here' } });
    assert.equal(hidden.hidden, true);
    assert.ok(
      (await other.client.call('comments', { params: { id: v }, query: {} })).items.some((c) => c.id === hidden.id),
      'its author still sees it',
    );
    assert.ok(!(await fan.client.call('comments', { params: { id: v }, query: {} })).items.some((c) => c.id === hidden.id));
    assert.ok(!(await creator.client.call('comments', { params: { id: v }, query: {} })).items.some((c) => c.id === hidden.id));
    assert.equal((await counters(t, v)).comment_count, 1);
    await rejects(fan.client.call('likeComment', { params: { id: hidden.id } }), 404);
    // Settings are one's own: another user's PATCH only changes their own.
    assert.equal((await fan.client.call('engagementSettings')).commentPolicy, 'everyone');
    await rejects(t.anon.call('engagementSettings'), 401);
    await creator.client.call('updateEngagementSettings', { body: { commentFilter: [] } });
  });

  test('liked videos are private unless made public; the Liked tab follows privacy', async () => {
    const v = await insertReadyVideo(t, { userId: creator.me.id, caption: 'likeable', at: new Date() });
    await other.client.call('likeVideo', { params: { id: v } });
    assert.ok((await other.client.call('likedVideos', { params: { username: other.me.username }, query: {} })).items.some((x) => x.id === v));
    await rejects(fan.client.call('likedVideos', { params: { username: other.me.username }, query: {} }), 403, 'likes_private');
    await other.client.call('updateEngagementSettings', { body: { likesPublic: true } });
    assert.equal((await t.anon.call('profile', { params: { username: other.me.username } })).likesPublic, true);
    assert.ok((await t.anon.call('likedVideos', { params: { username: other.me.username }, query: {} })).items.some((x) => x.id === v));
  });

  test('reconciliation fixes drifted counters from the source rows', async () => {
    const v = await insertReadyVideo(t, { userId: creator.me.id, caption: 'drift', at: new Date() });
    await fan.client.call('likeVideo', { params: { id: v } });
    await fan.client.call('addComment', { params: { id: v }, body: { text: 'drift check' } });
    await t.ctx.dbh.db.updateTable('videos').set({ like_count: 99, comment_count: 7, save_count: 3 }).where('id', '=', v).execute();
    const r = await t.ctx.engagement.reconcile();
    assert.ok(r.videos >= 1);
    assert.deepEqual(await counters(t, v), { like_count: 1, comment_count: 1, save_count: 0 });
    assert.deepEqual(await t.ctx.engagement.reconcile(), { videos: 0, comments: 0 });
  });
});
