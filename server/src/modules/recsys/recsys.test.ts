import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pino from 'pino';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { createRecsysService } from './recsys.service.ts';

const topics = ['cats', 'dance', 'food', 'coding', 'travel', 'music'];

describe('For You recommender over HTTP', () => {
  let t: TestApp;
  let creators: TestUser[];
  const topicOf = new Map<string, string>();
  before(async () => {
    t = await createTestApp();
    creators = [];
    for (let c = 0; c < 12; c++) creators.push(await t.newUser({ username: `rc_creator_${c}` }));
    for (const [c, creator] of creators.entries()) {
      const topic = topics[c % topics.length]!;
      for (let i = 0; i < 5; i++) {
        const id = await insertReadyVideo(t, { userId: creator.me.id, caption: `#${topic}`, at: new Date(Date.now() - (c * 5 + i) * 3_600_000) });
        await t.ctx.recsys.refreshVideo(id);
        topicOf.set(id, topic);
      }
    }
  });
  after(() => t.close());

  const send = (u: TestUser, videoId: string, types: string[], watchMs?: number) =>
    u.client.call('events', {
      body: {
        events: types.map((type) => ({
          id: crypto.randomUUID().replace(/-/g, ''),
          type: type as 'play',
          videoId,
          watchMs,
          durationMs: 10_000,
          feed: 'for-you' as const,
        })),
      },
    });

  test('likes and long watches change the very next page; every item says why', async () => {
    const u = await t.newUser();
    const first = await u.client.call('forYou', { query: { limit: 10 } });
    assert.equal(first.items.length, 10);
    for (const it of first.items) {
      assert.ok(it.why.length > 0, 'why this video');
      assert.notEqual(it.reason, '');
    }
    const catsBefore = first.items.filter((i) => topicOf.get(i.video.id) === 'cats').length;
    const cats = [...topicOf]
      .filter(([, tp]) => tp === 'cats')
      .map(([id]) => id)
      .slice(0, 3);
    for (const id of cats) await send(u, id, ['impression', 'play', 'like', 'complete'], 10_000);
    const next = await u.client.call('forYou', { query: { limit: 10, cursor: first.nextCursor! } });
    const catsAfter = next.items.filter((i) => topicOf.get(i.video.id) === 'cats').length;
    // Two cat creators × at most two videos per creator per page: four is the most a page can hold.
    assert.ok(catsAfter > catsBefore || catsAfter === 4, `cats on page: ${catsBefore} → ${catsAfter}`);
    assert.equal(topicOf.get(next.items[0]!.video.id), 'cats', 'the next page opens with a cat video');
    assert.ok(
      next.items.some((i) => i.why.some((w) => /#cats|creator|watched/.test(w))),
      JSON.stringify(next.items.map((i) => i.why)),
    );
    const ids = [...first.items, ...next.items].map((i) => i.video.id);
    assert.equal(new Set(ids).size, ids.length, 'no repeats within a session');
  });

  test('cold start: picked interests shape the first page', async () => {
    const options = await t.anon.call('interestOptions');
    assert.ok(options.hashtags.some((h) => h.tag === 'travel' && h.videos === 10));
    const u = await t.newUser();
    const plain = (await u.client.call('forYou', { query: { limit: 10 } })).items.filter((i) => topicOf.get(i.video.id) === 'travel').length;
    await u.client.call('setInterests', { body: { hashtags: ['#Travel'] } });
    const page = await u.client.call('forYou', { query: { limit: 10 } });
    const travel = page.items.filter((i) => topicOf.get(i.video.id) === 'travel').length;
    assert.ok(travel >= 3 && travel > plain, `travel videos: ${plain} → ${travel}`);
    await assert.rejects(u.client.call('setInterests', { body: { hashtags: [] } }));
    await assert.rejects(u.client.call('setInterests', { body: { hashtags: ['<script>'] } }));
  });

  test('not interested in a creator removes them; reset and popular mode work', async () => {
    const u = await t.newUser();
    const target = creators[1]!;
    await u.client.call('notInterested', { body: { creator: target.me.username } });
    for (let i = 0; i < 3; i++) {
      const page = await u.client.call('forYou', { query: { limit: 10 } });
      assert.ok(!page.items.some((it) => it.video.author.id === target.me.id));
    }
    const vid = [...topicOf.keys()][0]!;
    await u.client.call('notInterested', { body: { videoId: vid } });
    const events = await t.ctx.dbh.db.selectFrom('events').select('type').where('video_id', '=', vid).where('user_id', '=', u.me.id).execute();
    assert.deepEqual(
      events.map((e) => e.type),
      ['not_interested'],
    );
    await assert.rejects(u.client.call('notInterested', { body: {} }));
    await u.client.call('resetFeed');
    const popular = await u.client.call('forYou', { query: { limit: 5, mode: 'popular' } });
    assert.ok(popular.items.every((i) => i.reason.startsWith('baseline:')));
  });

  test('model state survives a restart: a new service resumes from the snapshot and the log', async () => {
    const u = await t.newUser();
    const food = [...topicOf]
      .filter(([, tp]) => tp === 'food')
      .map(([id]) => id)
      .slice(0, 3);
    for (const id of food) await send(u, id, ['impression', 'like'], 9000);
    await t.ctx.recsys.save();
    const again = createRecsysService({ db: t.ctx.dbh.db, clock: t.ctx.clock, log: pino({ level: 'silent' }), engine: { random: () => 0.5 } });
    await again.start({ follow: false });
    const hider = await t.newUser();
    await hider.client.call('notInterested', { body: { creator: creators[2]!.me.username } });
    const other = createRecsysService({ db: t.ctx.dbh.db, clock: t.ctx.clock, log: pino({ level: 'silent' }) });
    await other.start({ follow: false }); // another API process, or a restart before the next snapshot
    assert.ok(
      !other.engine.recommend(hider.me.id, 30, new Set(), Date.now()).some((r) => r.videoId.length && [...topicOf.keys()].slice(10, 15).includes(r.videoId)),
      'hide reaches other processes through the log',
    );
    await other.stop();
    const recs = again.engine.recommend(u.me.id, 10, new Set(), Date.now()).filter((r) => !r.explore);
    assert.ok(recs.filter((r) => topicOf.get(r.videoId) === 'food').length >= 2, 'restored tastes');
    const retrained = await again.retrain();
    assert.ok(retrained.events > 0);
    const after = again.engine.recommend(u.me.id, 10, new Set(), Date.now()).filter((r) => !r.explore);
    assert.ok(after.filter((r) => topicOf.get(r.videoId) === 'food').length >= 2, 'retrained from the log');
    await again.stop();
  });
});
