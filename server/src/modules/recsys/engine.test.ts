import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRecsysEngine, type EngineSnapshot, type LearnEvent, type VideoMeta } from './engine.ts';

const now = Date.UTC(2026, 10, 26, 12);
const topics = ['cats', 'dance', 'food', 'coding', 'travel', 'music'];
function catalog(): VideoMeta[] {
  const out: VideoMeta[] = [];
  for (let c = 0; c < 24; c++)
    for (let i = 0; i < 6; i++)
      out.push({
        id: `v${c}-${i}`,
        creatorId: `c${c}`,
        hashtags: [topics[c % topics.length]!],
        publishedAt: now - (c * 6 + i) * 3_600_000,
        durationMs: 10_000,
      });
  return out;
}
const ev = (userId: string | null, videoId: string, type: string, watchMs: number | null = null): LearnEvent => ({
  userId,
  videoId,
  type,
  watchMs,
  durationMs: 10_000,
  at: now,
});

/** Exploration jitter is random in production; tests fix it. */
const seeded = (seed: number) => () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;

function engineWithHistory() {
  const e = createRecsysEngine({ factors: 16, random: seeded(42) });
  for (const v of catalog()) e.upsertVideo(v);
  // Background users with topic tastes, so the embedding space has structure.
  for (let u = 0; u < 60; u++) {
    const topic = u % topics.length;
    for (const v of catalog()
      .filter((x) => x.hashtags[0] === topics[topic])
      .slice(0, 12))
      e.learn([ev(`bg${u}`, v.id, 'impression'), ev(`bg${u}`, v.id, 'play'), ev(`bg${u}`, v.id, 'complete', 10_000)]);
  }
  return e;
}
const tagsOf = (ids: string[]) => ids.map((id) => topics[Number(/^v(\d+)/.exec(id)![1]) % topics.length]!);

test('liking three cat videos brings more cats on the very next page', () => {
  const e = engineWithHistory();
  const first = e.recommend('ana', 10, new Set(), now).map((r) => r.videoId);
  const catsBefore = tagsOf(first).filter((t) => t === 'cats').length;
  const cats = catalog()
    .filter((v) => v.hashtags[0] === 'cats')
    .slice(0, 3);
  for (const v of cats) e.learn([ev('ana', v.id, 'impression'), ev('ana', v.id, 'play'), ev('ana', v.id, 'like'), ev('ana', v.id, 'complete', 10_000)]);
  const next = e.recommend('ana', 10, new Set(first), now, 1);
  const catsAfter = tagsOf(next.map((r) => r.videoId)).filter((t) => t === 'cats').length;
  assert.ok(catsAfter > catsBefore && catsAfter >= 4, `cats before ${catsBefore}, after ${catsAfter}`);
  assert.equal(tagsOf([next[0]!.videoId])[0], 'cats', 'the top of the next page is a cat video');
  const cat = next.find((r) => tagsOf([r.videoId])[0] === 'cats')!;
  assert.ok(cat.why.length > 0, 'explains itself');
  assert.ok(cat.sources.length > 0);
});

test('skipping a creator shows fewer of them; not interested hides them', () => {
  const e = engineWithHistory();
  const creatorVideos = catalog().filter((v) => v.creatorId === 'c3');
  for (const v of creatorVideos.slice(0, 2)) e.learn([ev('ben', v.id, 'impression'), ev('ben', v.id, 'like')]);
  const count = () => {
    let n = 0;
    for (let i = 0; i < 5; i++) n += e.recommend('ben', 10, new Set(), now).filter((r) => r.videoId.startsWith('v3-')).length;
    return n;
  };
  const before = count();
  for (const v of creatorVideos.slice(2, 5)) e.learn([ev('ben', v.id, 'impression'), ev('ben', v.id, 'skip', 500)]);
  const after = count();
  assert.ok(after < before || before === 0, `creator shown ${before} → ${after}`);
  e.hide('ben', { creatorId: 'c3' });
  assert.equal(count(), 0);
});

test('pages respect diversity, exclusion and exploration; snapshots restore the same ranking', () => {
  const e = engineWithHistory();
  const page = e.recommend('cara', 10, new Set(['v0-0']), now);
  assert.equal(page.length, 10);
  assert.ok(!page.some((r) => r.videoId === 'v0-0'));
  for (let i = 1; i < page.length; i++) assert.notEqual(page[i]!.videoId.split('-')[0], page[i - 1]!.videoId.split('-')[0]);
  assert.ok(
    page.some((r) => r.explore),
    'exploration slots carry new videos',
  );
  assert.ok(!page[0]!.explore, 'never explore first');
  const seeded = (seed: number) => () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const copy = createRecsysEngine({ factors: 16, random: seeded(7) });
  for (const v of catalog()) copy.upsertVideo(v);
  copy.restore(JSON.parse(JSON.stringify(e.snapshot())) as EngineSnapshot);
  const fixed = createRecsysEngine({ factors: 16, random: seeded(7) });
  for (const v of catalog()) fixed.upsertVideo(v);
  fixed.restore(e.snapshot());
  const a = fixed.recommend('bg1', 10, new Set(), now).map((r) => r.videoId);
  const b = copy.recommend('bg1', 10, new Set(), now).map((r) => r.videoId);
  assert.deepEqual(b, a);
});

test('reset forgets a user', () => {
  const e = engineWithHistory();
  for (const v of catalog()
    .filter((x) => x.hashtags[0] === 'food')
    .slice(0, 4))
    e.learn([ev('dan', v.id, 'impression'), ev('dan', v.id, 'like')]);
  const food = () => tagsOf(e.recommend('dan', 10, new Set(), now).map((r) => r.videoId)).filter((t) => t === 'food').length;
  const personal = food();
  e.reset('dan');
  assert.ok(food() < personal, 'after reset the page is no longer about food');
});

test('the sliced list rebuild gives the same lists and pool moves as the one-block rebuild, and yields between slices', async () => {
  let seed = 9;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const videos: VideoMeta[] = [];
  for (let i = 0; i < 3000; i++)
    videos.push({ id: `w${i}`, creatorId: `c${i % 97}`, hashtags: [`t${i % 13}`], publishedAt: now - Math.floor(rnd() * 86_400_000), durationMs: 10_000 });
  const events: LearnEvent[] = [];
  for (let e = 0; e < 40_000; e++) {
    const v = videos[Math.floor(rnd() * rnd() * videos.length)]!.id; // skewed: some videos reach the later pools
    const r = rnd();
    const type = r < 0.45 ? 'impression' : r < 0.75 ? 'play' : r < 0.85 ? 'complete' : r < 0.95 ? 'skip' : 'like';
    events.push({ ...ev(null, v, type), at: now - Math.floor(rnd() * 3 * 3_600_000) });
  }
  const make = () => {
    const e = createRecsysEngine({ factors: 8, poolSizes: [5, 40, 200], random: seeded(1) });
    for (const v of videos) e.upsertVideo(v);
    e.learn(events);
    return e;
  };
  const whole = make();
  const sliced = make();
  let pauses = 0;
  const pause = async () => {
    pauses++;
    await new Promise<void>((r) => setImmediate(r));
  };
  for (let round = 0; round < 4; round++) {
    // Graduation moves videos up one pool per rebuild: several rounds reach the later pools.
    const a = whole.refreshLists(now + round);
    const b = await sliced.refreshListsSliced(now + round, pause, 97);
    assert.ok(b);
    assert.deepEqual(b.trending, a.trending);
    assert.deepEqual(b.popular, a.popular);
    assert.deepEqual(b.fresh, a.fresh);
    assert.equal(a.trending.length, 500);
  }
  assert.deepEqual(sliced.snapshot().pool, whole.snapshot().pool);
  const levels = new Set(whole.snapshot().pool.map(([, l]) => l));
  assert.ok(levels.size >= 3, `videos in pools ${[...levels].join(',')}`);
  assert.ok(pauses >= 4 * 2 * Math.floor(3000 / 97), `yielded ${pauses} times`);
  // Pages read the installed lists: the same pages from both.
  assert.deepEqual(sliced.recommend(undefined, 10, new Set(), now + 9), whole.recommend(undefined, 10, new Set(), now + 9));

  // A catalogue change during a sliced rebuild drops its (stale) result; the next page rebuilds.
  const racing = sliced.refreshListsSliced(now + 10, pause, 97);
  sliced.upsertVideo({ id: 'brand-new', creatorId: 'c1', hashtags: ['t1'], publishedAt: now + 10, durationMs: 10_000 });
  assert.equal(await racing, undefined);
  assert.ok(sliced.recommend(undefined, 60, new Set(), now + 10).length > 0);
});

test('selectKth picks what a numeric sort puts at position k', async () => {
  const { selectKth } = await import('./engine.ts');
  let seed = 3;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (const n of [1, 2, 3, 10, 101, 1000]) {
    for (const distinct of [n, 3, 1]) {
      const xs = Float32Array.from({ length: n }, () => Math.floor(rnd() * distinct) / 7);
      const sorted = xs.slice().sort();
      for (const k of [0, Math.floor(n / 2), n - 1]) assert.equal(selectKth(xs.slice(), k), sorted[k], `n ${n} distinct ${distinct} k ${k}`);
    }
  }
});
