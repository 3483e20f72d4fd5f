import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRanker, fi, NF, type Outcome, type RankerState } from './ranker.ts';

const features = (f: Partial<Record<keyof typeof fi, number>>) => {
  const x = new Float32Array(NF);
  x[fi.bias] = 1;
  for (const [k, v] of Object.entries(f)) x[fi[k as keyof typeof fi]] = v;
  return x;
};
const none: Outcome = { complete: false, like: false, share: false, comment: false, follow: false, skip: false, notInterested: false, watchFraction: 0 };

test('an untrained ranker prefers a video with a higher completion rate and affinity', () => {
  const r = createRanker();
  const good = r.score(r.predict(features({ completeRate: 0.8, embeddingAffinity: 0.8 })));
  const bad = r.score(r.predict(features({ completeRate: 0.1, skipRate: 0.7 })));
  assert.ok(good > bad);
});

test('online SGD learns that a hashtag-affine video gets completed and others get skipped', () => {
  const r = createRanker({ learningRate: 0.1 });
  const liked = features({ hashtagAffinity: 1 });
  const other = features({ hashtagAffinity: 0 });
  const before = r.predict(liked).complete - r.predict(other).complete;
  for (let i = 0; i < 300; i++) {
    r.learn(liked, { ...none, complete: true, like: i % 3 === 0, watchFraction: 1 });
    r.learn(other, { ...none, skip: true, watchFraction: 0.05 });
  }
  const pl = r.predict(liked);
  const po = r.predict(other);
  assert.ok(pl.complete - po.complete > before + 0.3, `complete gap grew: ${before} → ${pl.complete - po.complete}`);
  assert.ok(po.skip > pl.skip + 0.3);
  assert.ok(pl.watchFraction > po.watchFraction + 0.5);
  assert.ok(r.score(pl) > r.score(po));
  const why = r.explain(liked);
  assert.equal(why[0]?.feature, 'hashtagAffinity');
});

test('state round-trips through JSON', () => {
  const r = createRanker();
  r.learn(features({ likeRate: 0.3 }), { ...none, like: true, watchFraction: 1 });
  const copy = createRanker({ state: JSON.parse(JSON.stringify(r.state())) as RankerState });
  const x = features({ likeRate: 0.2, freshness: 0.5 });
  assert.deepEqual(copy.predict(x), r.predict(x));
});
