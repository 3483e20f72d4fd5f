import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ItemKNN } from './knn.ts';

// Items x and y are always watched together; z goes with w; q is watched by everyone.
const ROWS: Record<string, string[]> = {
  u1: ['x', 'y', 'q'],
  u2: ['x', 'y', 'q'],
  u3: ['x', 'y'],
  u4: ['z', 'w', 'q'],
  u5: ['z', 'w', 'q'],
  u6: ['z', 'w'],
};

// Plain cosine unless a test asks otherwise, so the expected similarities can be worked by hand.
function toy(config: ConstructorParameters<typeof ItemKNN>[0] = { shrink: 0 }): ItemKNN {
  const knn = new ItemKNN({ userWeightExponent: 0, ...config });
  for (const [u, items] of Object.entries(ROWS)) for (const i of items) knn.observe(u, i);
  knn.fit();
  return knn;
}

test('neighbours by shrunk cosine on a toy matrix', () => {
  const knn = toy();
  const nx = knn.similarItems('x', 3);
  assert.equal(nx[0]!.id, 'y');
  assert.ok(Math.abs(nx[0]!.score - 1) < 1e-6); // |U_x ∩ U_y| = 3, √(3·3) = 3
  // q: overlap 2 of √(3·4)
  assert.equal(nx[1]!.id, 'q');
  assert.ok(Math.abs(nx[1]!.score - 2 / Math.sqrt(12)) < 1e-6);
  assert.ok(!nx.some((n) => n.id === 'z' || n.id === 'w'));
  // Shrinkage lowers the similarity of small overlaps: 3 / (3 + 10).
  assert.ok(Math.abs(toy({ shrink: 10 }).similarItems('x', 1)[0]!.score - 3 / 13) < 1e-6);
  assert.equal(toy({ shrink: 0, neighbours: 1 }).similarItems('x', 5).length, 1);
});

test('user scores come from their history and follow new events immediately', () => {
  const knn = toy();
  assert.equal(knn.topK('u3', 1, new Set(['x', 'y']))[0]!.id, 'q');
  knn.observe('fresh', 'z');
  assert.equal(knn.topK('fresh', 1, new Set(['z']))[0]!.id, 'w');
  // Cold user: popularity order (q is the most watched).
  assert.equal(knn.topK('nobody', 1)[0]!.id, 'q');
  // A negative event is remembered but never recommends neighbours.
  knn.observe('skipper', 'x', -1);
  assert.equal(knn.topK('skipper', 1)[0]!.id, 'q');
});

test('down-weighting heavy users changes co-occurrence weights', () => {
  const plain = toy({ shrink: 0 }).similarItems('x', 2);
  const weighted = toy({ shrink: 0, userWeightExponent: 1 }).similarItems('x', 2);
  assert.ok(weighted[0]!.score < plain[0]!.score);
});

test('serialisation round trip keeps scores and neighbours', () => {
  const knn = toy();
  const copy = ItemKNN.deserialize(knn.serialize());
  for (const u of ['u1', 'u4', 'nobody']) assert.deepEqual(copy.scoreAll(u), knn.scoreAll(u));
  assert.deepEqual(copy.similarItems('z', 3), knn.similarItems('z', 3));
});
