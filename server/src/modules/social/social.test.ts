import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, buildPath, engagementRoutes, routes } from '@flick/contracts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';

const rejects = (p: Promise<unknown>, status: number, code?: string) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.status, status, `${e.code}: ${e.message}`);
    if (code) assert.equal(e.code, code, e.message);
    return true;
  });

/** Make a directly inserted video known to the feed snapshot and the recommender, as publishing would. */
async function publish(t: TestApp, id: string) {
  t.ctx.feed.invalidate(id);
  await t.ctx.recsys.refreshVideo(id);
  return id;
}

async function allForYou(u: TestUser | { client: TestApp['anon'] }, mode: 'personal' | 'popular') {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await u.client.call('forYou', { query: { limit: 10, cursor, mode } });
    ids.push(...page.items.map((it) => it.video.id));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return ids;
}

describe('follows, private accounts, blocks, mutes', () => {
  let t: TestApp;
  let ana: TestUser;
  let bo: TestUser;
  let cy: TestUser;
  before(async () => {
    t = await createTestApp();
    ana = await t.newUser();
    bo = await t.newUser();
    cy = await t.newUser();
  });
  after(() => t.close());

  test('follow and unfollow, lists, self-follow refused, follow notifications grouped', async () => {
    await rejects(ana.client.call('follow', { params: { username: ana.me.username } }), 400, 'cannot_follow_self');
    await rejects(t.anon.call('follow', { params: { username: ana.me.username } }), 401);
    const p = await bo.client.call('follow', { params: { username: ana.me.username } });
    assert.equal(p.isFollowing, true);
    assert.equal(p.followers, 1);
    await bo.client.call('follow', { params: { username: ana.me.username } });
    await cy.client.call('follow', { params: { username: ana.me.username } });
    const followers = await t.anon.call('followers', { params: { username: ana.me.username }, query: {} });
    assert.deepEqual(
      followers.items.map((u) => u.username),
      [cy.me.username, bo.me.username],
    );
    const page1 = await t.anon.call('followers', { params: { username: ana.me.username }, query: { limit: 1 } });
    const page2 = await t.anon.call('followers', { params: { username: ana.me.username }, query: { limit: 1, cursor: page1.nextCursor! } });
    assert.deepEqual(
      [...page1.items, ...page2.items].map((u) => u.username),
      [cy.me.username, bo.me.username],
    );
    assert.equal(page2.nextCursor, null);
    assert.deepEqual(
      (await t.anon.call('followingList', { params: { username: bo.me.username }, query: {} })).items.map((u) => u.username),
      [ana.me.username],
    );
    const inbox = await ana.client.call('notifications', { query: {} });
    const follows = inbox.items.find((i) => i.type === 'follow')!;
    assert.equal(follows.actorCount, 2);
    assert.deepEqual(
      follows.actors.map((a) => a.username),
      [cy.me.username, bo.me.username],
    );
    assert.equal(inbox.unread, 1);
    assert.deepEqual(await ana.client.call('markNotificationsRead', { body: { all: true } }), { unread: 0 });
    // Unfollow, follow again: no second notification for the same follower.
    await bo.client.call('unfollow', { params: { username: ana.me.username } });
    await bo.client.call('follow', { params: { username: ana.me.username } });
    assert.equal((await ana.client.call('unreadNotifications')).unread, 0);
    await rejects(t.anon.call('notifications', { query: {} }), 401);
    await rejects(ana.client.call('markNotificationsRead', { body: {} }), 400);
  });

  test('a follow from a video tells the recommender (only for a video of that creator) and notifies once, in one write', async () => {
    const [star, fan1, fan2] = await Promise.all([t.newUser(), t.newUser(), t.newUser()]);
    const starVideo = await insertReadyVideo(t, { userId: star.me.id, caption: 'follow me', at: new Date() });
    const otherVideo = await insertReadyVideo(t, { userId: ana.me.id, caption: 'not theirs', at: new Date() });
    const followEvents = (u: TestUser) =>
      t.ctx.dbh.db.selectFrom('events').select(['video_id']).where('user_id', '=', u.me.id).where('type', '=', 'follow').execute();
    const p = await fan1.client.call('follow', { params: { username: star.me.username }, query: { videoId: starVideo } });
    assert.equal(p.followers, 1);
    assert.equal(p.videos, 1);
    assert.deepEqual(await followEvents(fan1), [{ video_id: starVideo }]);
    await fan2.client.call('follow', { params: { username: star.me.username }, query: { videoId: otherVideo } });
    assert.deepEqual(await followEvents(fan2), [], "another creator's video teaches nothing");
    // Following again changes nothing and answers the same.
    assert.equal((await fan1.client.call('follow', { params: { username: star.me.username }, query: { videoId: starVideo } })).followers, 2);
    assert.equal((await followEvents(fan1)).length, 1);
    const inbox = await star.client.call('notifications', { query: {} });
    const group = inbox.items.find((i) => i.type === 'follow');
    assert.equal(group?.actorCount, 2);
    assert.equal(group?.count, 2);
  });

  test('homoglyph usernames: look-alike letters cannot sign up, and never resolve to the real account', async () => {
    const real = await t.newUser({ username: 'paypal_team' });
    // Cyrillic а (U+0430), Greek ο (U+03BF), a fullwidth ｐ, a zero-width joiner: each refused at signup with a clear 400.
    for (const username of ['p\u0430ypal_team', 'payp\u03bfl_team', '\uff50aypal_team', 'paypal\u200d_team']) {
      const res = await fetch(`${t.baseUrl}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'correct horse battery', birthdate: '1990-01-01' }),
      });
      assert.equal(res.status, 400, username);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /letters, digits/);
    }
    // Case is not a second identity either.
    const dup = await fetch(`${t.baseUrl}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'PayPal_Team', password: 'correct horse battery', birthdate: '1990-01-01' }),
    });
    assert.equal(dup.status, 409);
    // A look-alike in a profile or follow URL is nobody: 404, and the real account is untouched.
    await rejects(t.anon.call('profile', { params: { username: 'p\u0430ypal_team' } }), 404);
    await rejects(ana.client.call('follow', { params: { username: 'p\u0430ypal_team' } }), 404);
    assert.equal((await t.anon.call('profile', { params: { username: real.me.username } })).followers, 0);
  });

  test('a private account: follow requests, approve and decline, videos and lists hidden from others', async () => {
    const priv = await t.newUser();
    const v = await publish(t, await insertReadyVideo(t, { userId: priv.me.id, caption: 'private life', at: new Date() }));
    assert.ok((await allForYou(ana, 'popular')).includes(v), 'public until the account goes private');
    assert.ok((await allForYou({ client: t.anon }, 'popular')).includes(v), 'signed-out viewers too (this caches the account as public)');
    assert.equal((await priv.client.call('updateEngagementSettings', { body: { isPrivate: true } })).isPrivate, true);
    assert.ok(!(await allForYou({ client: t.anon }, 'popular')).includes(v), 'going private hides the videos from signed-out viewers at once');
    const asked = await ana.client.call('follow', { params: { username: priv.me.username } });
    assert.deepEqual([asked.isFollowing, asked.requested, asked.isPrivate, asked.canSeeVideos], [false, true, true, false]);
    await bo.client.call('follow', { params: { username: priv.me.username } });
    await rejects(ana.client.call('userVideos', { params: { username: priv.me.username }, query: {} }), 403, 'private_account');
    await rejects(t.anon.call('followers', { params: { username: priv.me.username }, query: {} }), 403, 'private_account');
    await rejects(ana.client.call('likeVideo', { params: { id: v } }), 404);
    await rejects(ana.client.call('addComment', { params: { id: v }, body: { text: 'let me see' } }), 404);
    assert.ok(!(await allForYou(ana, 'popular')).includes(v), "a private account's videos stay out of others' feeds");
    const reqs = await priv.client.call('followRequests', { query: {} });
    assert.deepEqual(reqs.items.map((u) => u.username).sort(), [ana.me.username, bo.me.username].sort());
    assert.ok((await priv.client.call('notifications', { query: {} })).items.some((i) => i.type === 'follow_request' && i.actorCount === 2));
    // Only the target decides.
    await rejects(bo.client.call('approveFollowRequest', { params: { username: ana.me.username } }), 404);
    await priv.client.call('approveFollowRequest', { params: { username: ana.me.username } });
    await priv.client.call('declineFollowRequest', { params: { username: bo.me.username } });
    await rejects(priv.client.call('declineFollowRequest', { params: { username: bo.me.username } }), 404);
    const seen = await ana.client.call('userVideos', { params: { username: priv.me.username }, query: {} });
    assert.deepEqual(
      seen.items.map((x) => x.id),
      [v],
    );
    assert.equal((await ana.client.call('likeVideo', { params: { id: v } })).likes, 1);
    assert.ok((await ana.client.call('notifications', { query: {} })).items.some((i) => i.type === 'follow_accepted'));
    assert.equal((await bo.client.call('profile', { params: { username: priv.me.username } })).requested, false);
    // Removing a follower takes their access away again.
    await priv.client.call('removeFollower', { params: { username: ana.me.username } });
    await rejects(ana.client.call('userVideos', { params: { username: priv.me.username }, query: {} }), 403);
    // Going public lets pending requests in.
    await cy.client.call('follow', { params: { username: priv.me.username } });
    await priv.client.call('updateEngagementSettings', { body: { isPrivate: false } });
    assert.equal((await cy.client.call('profile', { params: { username: priv.me.username } })).isFollowing, true);
  });

  test('block: mutual invisibility — no profile, no comments, no feed, no following; unblock restores', async () => {
    const troll = await t.newUser();
    const star = await t.newUser();
    const starVideo = await publish(t, await insertReadyVideo(t, { userId: star.me.id, caption: 'star clip', at: new Date() }));
    const trollVideo = await publish(t, await insertReadyVideo(t, { userId: troll.me.id, caption: 'troll clip', at: new Date() }));
    assert.ok((await allForYou(star, 'popular')).includes(trollVideo), 'before the block');
    await troll.client.call('follow', { params: { username: star.me.username } });
    await star.client.call('follow', { params: { username: troll.me.username } });
    const c = await troll.client.call('addComment', { params: { id: starVideo }, body: { text: 'first from troll' } });
    await rejects(star.client.call('block', { params: { username: star.me.username } }), 400, 'cannot_block_self');
    const p = await star.client.call('block', { params: { username: troll.me.username } });
    assert.equal(p.blocked, true);
    assert.equal(p.isFollowing, false);
    assert.equal(p.canSeeVideos, false);
    // The troll cannot see the star at all.
    await rejects(troll.client.call('profile', { params: { username: star.me.username } }), 404);
    await rejects(troll.client.call('userVideos', { params: { username: star.me.username }, query: {} }), 404);
    await rejects(troll.client.call('follow', { params: { username: star.me.username } }), 404);
    await rejects(troll.client.call('likeVideo', { params: { id: starVideo } }), 404);
    await rejects(troll.client.call('addComment', { params: { id: starVideo }, body: { text: 'again' } }), 404);
    await rejects(troll.client.call('comments', { params: { id: starVideo }, query: {} }), 404);
    // Nor the star the troll: their old comment is gone from the star's view, their videos from the star's feeds.
    assert.ok(!(await star.client.call('comments', { params: { id: starVideo }, query: {} })).items.some((x) => x.id === c.id));
    await rejects(star.client.call('follow', { params: { username: troll.me.username } }), 403, 'blocked');
    assert.ok(!(await allForYou(star, 'popular')).includes(trollVideo));
    assert.ok(!(await allForYou(star, 'personal')).includes(trollVideo));
    assert.ok(!(await allForYou(troll, 'popular')).includes(starVideo));
    assert.ok((await allForYou(ana, 'popular')).includes(trollVideo), 'others still see both');
    // Follows are cut both ways; neither shows in the other's lists.
    assert.equal((await star.client.call('profile', { params: { username: star.me.username } })).followers, 0);
    assert.equal((await star.client.call('blockedUsers', { query: {} })).items[0]!.username, troll.me.username);
    // A blocked user's likes do not notify the blocker.
    await star.client.call('unblock', { params: { username: troll.me.username } });
    assert.equal((await troll.client.call('profile', { params: { username: star.me.username } })).isFollowing, false, 'unblocking does not restore follows');
    assert.ok((await allForYou(star, 'popular')).includes(trollVideo));
    await rejects(t.anon.call('block', { params: { username: troll.me.username } }), 401);
  });

  test('mute hides a creator from my feeds and my inbox, nothing else', async () => {
    const loud = await t.newUser();
    const quiet = await t.newUser();
    const lv = await publish(t, await insertReadyVideo(t, { userId: loud.me.id, caption: 'loud clip', at: new Date() }));
    assert.ok((await allForYou(quiet, 'popular')).includes(lv), 'before the mute');
    const qv = await insertReadyVideo(t, { userId: quiet.me.id, caption: 'quiet clip', at: new Date() });
    await quiet.client.call('follow', { params: { username: loud.me.username } });
    const p = await quiet.client.call('mute', { params: { username: loud.me.username } });
    assert.equal(p.muted, true);
    assert.equal(p.isFollowing, true);
    assert.ok(!(await allForYou(quiet, 'popular')).includes(lv));
    assert.ok(!(await quiet.client.call('following', { query: {} })).items.some((i) => i.video.id === lv));
    await loud.client.call('likeVideo', { params: { id: qv } });
    assert.ok(!(await quiet.client.call('notifications', { query: {} })).items.some((i) => i.type === 'like'));
    assert.equal((await loud.client.call('profile', { params: { username: quiet.me.username } })).muted, false, 'the muted user is not told');
    await quiet.client.call('unmute', { params: { username: loud.me.username } });
    assert.ok((await allForYou(quiet, 'popular')).includes(lv));
  });

  test('notification preferences turn a type off; other users cannot read my inbox', async () => {
    const u = await t.newUser();
    const fan = await t.newUser();
    const v = await insertReadyVideo(t, { userId: u.me.id, caption: 'prefs', at: new Date() });
    const prefs = await u.client.call('updateNotificationPrefs', { body: { prefs: { like: false } } });
    assert.equal(prefs.prefs.like, false);
    assert.equal(prefs.prefs.comment, true);
    await fan.client.call('likeVideo', { params: { id: v } });
    await fan.client.call('follow', { params: { username: u.me.username } });
    const inbox = await u.client.call('notifications', { query: {} });
    assert.deepEqual(
      inbox.items.map((i) => i.type),
      ['follow'],
    );
    await rejects(u.client.call('updateNotificationPrefs', { body: { prefs: { bogus: true } as never } }), 400);
    assert.equal((await fan.client.call('notifications', { query: {} })).items.length, 0, "each inbox is its owner's");
  });

  test('notifications arrive live over SSE with the unread count', async () => {
    const u = await t.newUser();
    const fan = await t.newUser();
    const v = await insertReadyVideo(t, { userId: u.me.id, caption: 'live', at: new Date() });
    const anon = await fetch(`${t.baseUrl}/api/notifications/stream`);
    assert.equal(anon.status, 401);
    const ac = new AbortController();
    const res = await fetch(`${t.baseUrl}/api/notifications/stream`, { headers: { cookie: u.cookie }, signal: ac.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    const nextUnread = async () => {
      for (;;) {
        const m = /event: unread\ndata: (\{.*?\})\n\n/.exec(buf);
        if (m) {
          buf = buf.slice(m.index + m[0].length);
          return (JSON.parse(m[1]!) as { unread: number }).unread;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += dec.decode(value, { stream: true });
      }
    };
    assert.equal(await nextUnread(), 0);
    const t0 = Date.now();
    await fan.client.call('likeVideo', { params: { id: v } });
    assert.equal(await nextUnread(), 1);
    assert.ok(Date.now() - t0 < 1000, 'delivered within a second');
    await fan.client.call('addComment', { params: { id: v }, body: { text: 'live comment' } });
    assert.equal(await nextUnread(), 2);
    // Written by "another process" (straight into the table): the poll picks it up.
    await t.ctx.dbh.db
      .insertInto('notifications')
      .values({ id: crypto.randomUUID(), user_id: u.me.id, type: 'system', group_key: `system:${crypto.randomUUID()}`, text: 'Welcome' })
      .execute();
    assert.equal(await nextUnread(), 3);
    ac.abort();
  });

  test('every signed-in-only engagement and social route refuses anonymous callers with 401 and changes nothing', async () => {
    const names = [...Object.keys(engagementRoutes), 'follow', 'unfollow'] as (keyof typeof routes)[];
    const before = await t.ctx.dbh.db
      .selectFrom('notifications')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    // Valid bodies, so the answer is about the session and not about validation.
    const bodies: Record<string, unknown> = {
      createCollection: { name: 'x' },
      renameCollection: { name: 'x' },
      addComment: { text: 'hi' },
      markNotificationsRead: { all: true },
      updateNotificationPrefs: { prefs: {} },
    };
    let checked = 0;
    for (const name of names) {
      const r = routes[name];
      if (!r.auth) continue;
      const url = t.baseUrl + buildPath(r.path, { id: crypto.randomUUID(), username: ana.me.username });
      const res = await fetch(url, {
        method: r.method,
        headers: r.method === 'GET' || r.method === 'DELETE' ? {} : { 'content-type': 'application/json' },
        body: r.method === 'GET' || r.method === 'DELETE' ? undefined : JSON.stringify(bodies[name] ?? {}),
      });
      assert.equal(res.status, 401, `${name} ${r.method} ${r.path}`);
      checked++;
    }
    assert.ok(checked >= 25, `checked ${checked} routes`);
    const after = await t.ctx.dbh.db
      .selectFrom('notifications')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n));
  });
});
