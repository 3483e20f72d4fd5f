import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ApiError } from '@flick/contracts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { createFeedService } from './feed.service.ts';

/** Insert ready videos directly: the feed is about ranking and visibility, not transcoding. */
async function seedVideos(t: TestApp, userId: string, n: number, opts: { visibility?: 'public' | 'followers' | 'private'; hoursAgo?: number } = {}) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(Date.now() - ((opts.hoursAgo ?? 0) + i) * 3_600_000);
    ids.push(await insertReadyVideo(t, { userId, caption: `clip ${i} #test`, at, visibility: opts.visibility, views: (i * 7) % 13 }));
  }
  return ids;
}

describe('feeds', () => {
  let t: TestApp;
  let creators: TestUser[];
  let viewer: TestUser;
  before(async () => {
    t = await createTestApp({ env: {} });
    creators = [];
    for (let i = 0; i < 4; i++) creators.push(await t.newUser());
    for (const c of creators) await seedVideos(t, c.me.id, 8);
    viewer = await t.newUser();
  });
  after(() => t.close());

  test('For You pages never repeat a video within a session and run until the catalog is exhausted', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await viewer.client.call('forYou', { query: { limit: 5, cursor } });
      for (const it of r.items) {
        seen.push(it.video.id);
        assert.match(it.reason, /^baseline:(popular|fresh)$/);
        assert.equal(it.video.status, 'ready');
      }
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    assert.equal(seen.length, 32);
    assert.equal(new Set(seen).size, 32, 'no duplicates across pages');
    // A new session starts over.
    const fresh = await t.anon.call('forYou', { query: { limit: 5 } });
    assert.equal(fresh.items.length, 5);
  });

  test('ad slots: every 8th position of a session, never first, never back to back; a failing ad server leaves them organic', async () => {
    const brand = await t.newUser();
    const adVideos = await seedVideos(t, brand.me.id, 6);
    let next = 0;
    const asked: number[] = [];
    const feed = createFeedService({
      db: t.ctx.dbh.db,
      clock: t.ctx.clock,
      videosRepo: t.ctx.videosRepo,
      videos: t.ctx.videos,
      adSlots: async ({ position, exclude }) => {
        asked.push(position);
        const id = adVideos.find((v, i) => i >= next && !exclude.has(v));
        if (!id) return null;
        next = adVideos.indexOf(id) + 1;
        const video = t.ctx.videos.toDto((await t.ctx.videosRepo.byIds([id]))[0]!);
        return {
          video,
          reason: 'ad',
          why: ['Sponsored by a brand'],
          sponsored: { label: 'Sponsored', by: brand.me.username, adId: `ad-${id}`, impressionId: `imp-${id}` },
        };
      },
    });
    const shown: { id: string; sponsored: boolean }[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 4; page++) {
      const r = await feed.forYou(undefined, 5, cursor);
      assert.equal(r.items.length, 5);
      shown.push(...r.items.map((i) => ({ id: i.video.id, sponsored: !!i.sponsored })));
      cursor = r.nextCursor!;
    }
    assert.deepEqual(asked, [7, 15]);
    assert.deepEqual(
      shown.flatMap((s, i) => (s.sponsored ? [i] : [])),
      [7, 15],
    );
    assert.equal(new Set(shown.map((s) => s.id)).size, shown.length, 'an ad never repeats a video of the session');

    const broken = createFeedService({
      db: t.ctx.dbh.db,
      clock: t.ctx.clock,
      videosRepo: t.ctx.videosRepo,
      videos: t.ctx.videos,
      adSlots: () => Promise.reject(new Error('ad server down')),
      options: { adEvery: 3 },
    });
    const page = await broken.forYou(undefined, 6);
    assert.equal(page.items.length, 6);
    assert.ok(page.items.every((i) => !i.sponsored));
    assert.throws(() =>
      createFeedService({ db: t.ctx.dbh.db, clock: t.ctx.clock, videosRepo: t.ctx.videosRepo, videos: t.ctx.videos, options: { adEvery: 1 } }),
    );
  });

  test('a feed session continued on another API process still never repeats a video', async () => {
    const first = await t.ctx.feed.forYou(undefined, 5);
    await t.ctx.feed.flush(); // served rows are written in batches; another process reads them from the table
    const other = createFeedService({ db: t.ctx.dbh.db, clock: t.ctx.clock, videosRepo: t.ctx.videosRepo, videos: t.ctx.videos });
    const seen = new Set(first.items.map((i) => i.video.id));
    let cursor = first.nextCursor;
    while (cursor) {
      const r = await other.forYou(undefined, 5, cursor);
      for (const it of r.items) {
        assert.ok(!seen.has(it.video.id), `${it.video.id} was served twice`);
        seen.add(it.video.id);
      }
      cursor = r.nextCursor;
    }
    const { n } = await t.ctx.dbh.db
      .selectFrom('videos')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'ready')
      .where('visibility', '=', 'public')
      .executeTakeFirstOrThrow();
    assert.equal(seen.size, Number(n), 'the session ran through the whole catalogue');
  });

  test('no creator appears twice in a row on a page', async () => {
    const r = await t.anon.call('forYou', { query: { limit: 12 } });
    for (let i = 1; i < r.items.length; i++) assert.notEqual(r.items[i]!.video.author.id, r.items[i - 1]!.video.author.id);
  });

  test('private and followers-only videos stay out of For You; deleted ones leave at once', async () => {
    const c = await t.newUser();
    const [priv] = await seedVideos(t, c.me.id, 1, { visibility: 'private' });
    const [fol] = await seedVideos(t, c.me.id, 1, { visibility: 'followers' });
    const [pub] = await seedVideos(t, c.me.id, 1);
    const all = new Set<string>();
    let cursor: string | undefined;
    // The shared service caches its candidate snapshot for seconds; a new instance reads the catalog now.
    const feed = createFeedService({ db: t.ctx.dbh.db, clock: t.ctx.clock, videosRepo: t.ctx.videosRepo, videos: t.ctx.videos });
    for (;;) {
      const r = await feed.forYou(undefined, 50, cursor);
      r.items.forEach((i) => all.add(i.video.id));
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    assert.ok(all.has(pub!));
    assert.ok(!all.has(priv!));
    assert.ok(!all.has(fol!));
    await c.client.call('deleteVideo', { params: { id: pub! } });
    const again = await t.ctx.feed.forYou(undefined, 50);
    assert.ok(!again.items.some((i) => i.video.id === pub));
  });

  test('Following shows followed creators newest first, including followers-only videos', async () => {
    await assert.rejects(t.anon.call('following', { query: {} }), (e: unknown) => e instanceof ApiError && e.status === 401);
    const v = await t.newUser();
    assert.deepEqual((await v.client.call('following', { query: {} })).items, []);
    const c = await t.newUser();
    const ids = await seedVideos(t, c.me.id, 3);
    const [fo] = await seedVideos(t, c.me.id, 1, { visibility: 'followers', hoursAgo: 10 });
    await seedVideos(t, c.me.id, 1, { visibility: 'private' });
    const prof = await v.client.call('follow', { params: { username: c.me.username } });
    assert.equal(prof.isFollowing, true);
    assert.equal(prof.followers, 1);
    const page1 = await v.client.call('following', { query: { limit: 2 } });
    assert.deepEqual(
      page1.items.map((i) => i.video.id),
      ids.slice(0, 2),
    );
    const page2 = await v.client.call('following', { query: { limit: 2, cursor: page1.nextCursor! } });
    assert.deepEqual(
      page2.items.map((i) => i.video.id),
      [ids[2], fo],
    );
    assert.equal(page2.nextCursor, null);
    // A follower sees followers-only videos on the profile; a stranger does not.
    assert.equal((await v.client.call('userVideos', { params: { username: c.me.username }, query: {} })).items.length, 4);
    assert.equal((await t.anon.call('userVideos', { params: { username: c.me.username }, query: {} })).items.length, 3);
    const un = await v.client.call('unfollow', { params: { username: c.me.username } });
    assert.equal(un.isFollowing, false);
    assert.deepEqual((await v.client.call('following', { query: {} })).items, []);
    await assert.rejects(v.client.call('follow', { params: { username: v.me.username } }), (e: unknown) => e instanceof ApiError && e.status === 400);
    await assert.rejects(v.client.call('follow', { params: { username: 'ghost_user' } }), (e: unknown) => e instanceof ApiError && e.status === 404);
  });

  test('a bad cursor is a 400, a bad limit is a 400', async () => {
    await assert.rejects(t.anon.call('forYou', { query: { cursor: 'garbage!!' } }), (e: unknown) => e instanceof ApiError && e.status === 400);
    await assert.rejects(t.anon.call('forYou', { query: { limit: 500 } }), (e: unknown) => e instanceof ApiError && e.status === 400);
  });

  test('events are stored once per client id and count views', async () => {
    const [vid] = await seedVideos(t, creators[0]!.me.id, 1);
    const ev = (id: string, type: 'impression' | 'play' | 'progress' | 'complete') => ({
      id,
      type,
      videoId: vid!,
      watchMs: 1200,
      positionMs: 1200,
      durationMs: 6000,
      feed: 'for-you' as const,
    });
    const batch = [ev('evt_aaaaaaaa1', 'impression'), ev('evt_aaaaaaaa2', 'play'), ev('evt_aaaaaaaa2', 'play'), ev('evt_aaaaaaaa3', 'complete')];
    const r1 = await viewer.client.call('events', { body: { events: batch } });
    assert.deepEqual(r1, { accepted: 3, duplicates: 1, ignored: 0 });
    const r2 = await viewer.client.call('events', { body: { events: batch } });
    assert.deepEqual(r2, { accepted: 0, duplicates: 4, ignored: 0 });
    const ghost = await viewer.client.call('events', { body: { events: [{ id: 'evt_ghost0001', type: 'play', videoId: crypto.randomUUID() }] } });
    assert.deepEqual(ghost, { accepted: 0, duplicates: 0, ignored: 1 });
    const v = await t.anon.call('video', { params: { id: vid! } });
    assert.equal(v.stats.views, 1);
    const rows = await t.ctx.dbh.db.selectFrom('events').selectAll().where('video_id', '=', vid!).execute();
    assert.equal(rows.length, 3);
    assert.ok(rows.every((r) => r.user_id === viewer.me.id));
    const bad = await fetch(`${t.baseUrl}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ id: 'x', type: 'teleport', videoId: 'nope' }] }),
    });
    assert.equal(bad.status, 400);
    // sendBeacon posts text/plain JSON.
    const beacon = await fetch(`${t.baseUrl}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ events: [ev('evt_beacon001', 'progress')] }),
    });
    assert.equal(beacon.status, 200);
  });
});
