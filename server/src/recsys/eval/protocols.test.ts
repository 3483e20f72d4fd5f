import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InteractionsBuilder, subset } from './dataset.ts';
import { DEFAULT_HYPERPARAMETERS, type Hyperparameters } from './models.ts';
import { evaluateHoldout, kFoldAssignment, runProtocolA } from './protocol-a.ts';
import { popularityPercentiles, runProtocolB } from './protocol-b.ts';
import { gridCombinations, validationSplit } from './tune.ts';

const HP: Hyperparameters = {
  itempop: {},
  knn: { ...DEFAULT_HYPERPARAMETERS.knn, neighbours: 20 },
  mf: { ...DEFAULT_HYPERPARAMETERS.mf, factors: 4, regularization: 0.5, alpha: 10, iterations: 6 },
};

/** Two taste groups of 15 users × 15 items each; every user sees 8 items of their group over time. */
function synthetic() {
  const b = new InteractionsBuilder();
  let t = 0;
  for (let round = 0; round < 8; round++) {
    for (let u = 0; u < 30; u++) {
      const g = u < 15 ? 'a' : 'b';
      b.push(`u${u}`, `${g}${(u * 5 + round * 7) % 15}`, 1, t++);
    }
  }
  return b.build();
}

test('k-fold assignment: every event in exactly one fold, sizes within 1, seeded', () => {
  const f = kFoldAssignment(103, 5, 1);
  const sizes = [0, 0, 0, 0, 0];
  for (const x of f) sizes[x]!++;
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  assert.deepEqual(kFoldAssignment(103, 5, 1), f);
  assert.notDeepEqual(kFoldAssignment(103, 5, 2), f);
});

test('holdout evaluation by hand: a fixed scorer on two users', () => {
  const b = new InteractionsBuilder();
  for (const [u, i] of [
    ['u1', 'i0'],
    ['u1', 'i1'],
    ['u2', 'i2'],
    ['u1', 'i2'],
    ['u2', 'i3'],
  ])
    b.push(u!, i!, 1, 0);
  const d = b.build();
  const train = subset(d, (e) => e < 3); // u1: i0 i1, u2: i2
  const test = subset(d, (e) => e >= 3); // u1 → i2, u2 → i3
  // Scores prefer higher item indices: u1 gets [i3, i2, ...] (i0, i1 excluded); u2 gets [i3, i1, i0].
  const r = evaluateHoldout((_u, out) => out.set([0, 1, 2, 3]), train, test);
  assert.equal(r.users, 2);
  assert.ok(Math.abs(r.metrics['mrr@10'] - (1 / 2 + 1) / 2) < 1e-12);
  assert.ok(Math.abs(r.metrics['r@10'] - 1) < 1e-12);
  assert.ok(Math.abs(r.metrics['p@10'] - 0.1) < 1e-12);
  assert.ok(Math.abs(r.metrics['ndcg@10'] - (1 / Math.log2(3) + 1) / 2) < 1e-12);
});

test('protocol A on planted groups: MF and KNN beat popularity', () => {
  const r = runProtocolA(synthetic(), { folds: 4, seed: 1, models: ['itempop', 'knn', 'mf'], hp: HP });
  assert.equal(r.foldsRun, 4);
  const { itempop, knn, mf } = r.models;
  assert.ok(itempop && knn && mf);
  assert.ok(mf['ndcg@10'] > itempop['ndcg@10'] * 1.3, `mf ${mf['ndcg@10']} vs pop ${itempop['ndcg@10']}`);
  assert.ok(knn['ndcg@10'] > itempop['ndcg@10'] * 1.3);
  assert.equal(mf.perFold.length, 4);
});

test('protocol B: prequential replay runs both variants and reports every metric', () => {
  const r = runProtocolB(synthetic(), { testFraction: 0.25, days: 3, sample: 1, seed: 1, models: ['itempop', 'mf'], variants: ['online', 'daily'], hp: HP });
  assert.equal(r.split.trainEvents + r.split.testEvents, 240);
  assert.deepEqual(Object.keys(r.runs).sort(), ['itempop-daily', 'itempop-online', 'mf-daily', 'mf-online']);
  assert.equal(r.runs['mf-daily']!.retrains, 3);
  assert.equal(r.runs['mf-online']!.retrains, 1);
  for (const run of Object.values(r.runs)) {
    assert.equal(run.scoredEvents, 60);
    for (const v of [run['ndcg@10'], run['recall@20'], run['coverage@10'], run.popularityPercentile]) assert.ok(v >= 0 && v <= 1);
    assert.ok(run.novelty > 0);
  }
  assert.ok(r.runs['mf-online']!['ndcg@10'] > r.runs['itempop-online']!['ndcg@10']);
});

test('popularity percentiles: ties share a percentile, most popular is 1', () => {
  assert.deepEqual(Array.from(popularityPercentiles(new Float64Array([5, 1, 5, 0]))), [(2 + 0.5) / 3, 1 / 3, (2 + 0.5) / 3, 0]);
});

test('tuning: grid combinations and a validation split disjoint from fold 1', () => {
  assert.deepEqual(gridCombinations({ a: [1, 2], b: [3] }), [
    { a: 1, b: 3 },
    { a: 2, b: 3 },
  ]);
  const d = synthetic();
  const { train, validation } = validationSplit(d, 5, 1);
  const fold = kFoldAssignment(d.length, 5, 1);
  let heldOut = 0;
  for (const x of fold) if (x === 0) heldOut++;
  assert.equal(train.length + validation.length, d.length - heldOut);
});
