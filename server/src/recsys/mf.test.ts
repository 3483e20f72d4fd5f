import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSnapshot, encodeSnapshot } from './codec.ts';
import { ImplicitMF, MFConfigError, choleskySolveLower, type MFConfig } from './mf.ts';

// Two taste groups: users u0..u9 like items a0..a9, users u10..u19 like b0..b9. Each user has seen
// 6 of their group's 10 items, so the 4 unseen in-group items are what a good model ranks first.
// Two factors: room for the groups and nothing else, so the test checks the block, not noise.
const GROUP = 10;
const seenBy = (j: number) => Array.from({ length: 6 }, (_, t) => (j * 3 + t * 7) % GROUP);
const SMALL: Partial<MFConfig> = { factors: 2, regularization: 0.5, regularizationExponent: 0, alpha: 10, iterations: 15, seed: 3 };

function planted(config: Partial<MFConfig> = SMALL): ImplicitMF {
  const mf = new ImplicitMF(config);
  for (let j = 0; j < GROUP; j++) {
    for (const t of seenBy(j)) {
      mf.addInteraction(`u${j}`, `a${t}`);
      mf.addInteraction(`u${GROUP + j}`, `b${t}`);
    }
  }
  mf.fit();
  return mf;
}

const group = (ids: { id: string }[]) => new Set(ids.map((x) => x.id[0]));

test('batch ALS recovers a planted two-block structure', () => {
  for (const variant of [
    {},
    { popularityExponent: 0.5 },
    { regularizationExponent: 1, regularization: 0.05 },
    { regularizationExponent: 1, regularization: 0.05, activityExponent: 0.5, activityPivot: 3 },
    { regularizationExponent: 1, regularization: 0.05, activityExponent: 0.5, missingActivityExponent: 0.5, activityPivot: 3 },
  ]) {
    const mf = planted({ ...SMALL, ...variant });
    for (let j = 0; j < 2 * GROUP; j++) {
      const mine = j < GROUP ? 'a' : 'b';
      const seen = new Set(seenBy(j % GROUP).map((t) => `${mine}${t}`));
      const top = mf.topK(`u${j}`, 4, seen);
      assert.deepEqual(group(top), new Set([mine]), `user u${j} (${JSON.stringify(variant)}) got ${top.map((x) => x.id).join(',')}`);
      assert.ok(top.every((x) => !seen.has(x.id)));
    }
  }
});

test('batch fit and the online re-solve optimise the same objective (activity scaling included)', () => {
  // Users with different activity (3 to 9 items), so the activity factors differ between rows.
  const config: Partial<MFConfig> = {
    factors: 4,
    regularization: 0.05,
    regularizationExponent: 1,
    alpha: 3,
    activityExponent: 0.5,
    missingActivityExponent: 0.3,
    activityPivot: 5,
    iterations: 60,
    cgSteps: 4,
  };
  const mf = new ImplicitMF(config);
  for (let u = 0; u < 12; u++) for (let t = 0; t < 3 + (u % 7); t++) mf.addInteraction(`u${u}`, `i${(u * 5 + t * 3) % 17}`);
  mf.fit();
  for (const user of ['u2', 'u6']) {
    const batch = mf.userVector(user);
    // A zero-weight event leaves the data unchanged but makes the model re-solve the user exactly (Cholesky).
    mf.observe(user, mf.history(user).keys().next().value!, 0);
    const online = mf.userVector(user);
    for (let a = 0; a < 4; a++) assert.ok(Math.abs(batch[a]! - online[a]!) < 5e-3, `${user}[${a}]: batch ${batch[a]} vs online ${online[a]}`);
  }
});

test('online observe moves a brand-new user toward the observed item’s neighbours at once', () => {
  const mf = planted();
  const cold = mf.scoreAll('newbie');
  assert.equal(cold.length, 2 * GROUP);
  mf.observe('newbie', 'b3');
  const top = mf.topK('newbie', 5, new Set(['b3']));
  assert.deepEqual(group(top), new Set(['b']), top.map((x) => x.id).join(','));
  mf.observe('other', 'a7', 2);
  assert.deepEqual(group(mf.topK('other', 5, new Set(['a7']))), new Set(['a']));
  assert.equal(mf.history('newbie').get('b3'), 1);
});

test('observe shifts an existing user; a negative weight pushes the item down', () => {
  const mf = planted();
  const b9 = mf.items.get('b9')!;
  assert.ok(Math.abs(mf.scoreAll('u0')[b9]!) < 0.1);
  // An A-group user binges four B items: unseen B items become as likely as unseen A items.
  for (let t = 0; t < 4; t++) mf.observe('u0', `b${t}`, 3);
  assert.ok(mf.scoreAll('u0')[b9]! > 0.5);
  const before = mf.scoreAll('u5')[mf.items.get('a9')!]!;
  mf.observe('u5', 'a9', -3);
  assert.ok(mf.scoreAll('u5')[mf.items.get('a9')!]! < before);
});

test('a new item takes its prior, and scores like the items it was derived from', () => {
  const mf = planted();
  const prior = mf.meanItemVector(['a0', 'a1', 'a2', 'unknown'])!;
  mf.initItem('fresh', prior);
  assert.deepEqual(mf.itemVector('fresh'), prior);
  const fresh = mf.items.get('fresh')!;
  assert.ok(mf.scoreAll('u1')[fresh]! > mf.scoreAll('u11')[fresh]!);
  assert.equal(mf.meanItemVector(['nope']), undefined);
  assert.throws(() => mf.initItem('bad', new Float32Array(3)), MFConfigError);
});

test('similar items come from the same block', () => {
  const mf = planted();
  assert.deepEqual(group(mf.similarItems('a4', 5)), new Set(['a']));
  assert.ok(mf.similarItems('a4', 5).every((x) => x.id !== 'a4'));
  assert.deepEqual(mf.similarItems('missing', 3), []);
});

test('serialisation round trip: identical scores, identical behaviour afterwards', () => {
  const mf = planted();
  mf.observe('late', 'a2');
  const bin = ImplicitMF.deserialize(mf.serialize());
  const json = ImplicitMF.fromJSON(JSON.parse(JSON.stringify(mf)) as ReturnType<ImplicitMF['toJSON']>);
  for (const copy of [bin, json]) {
    assert.deepEqual(copy.config, mf.config);
    for (const u of ['u0', 'u15', 'late', 'never-seen']) assert.deepEqual(copy.scoreAll(u), mf.scoreAll(u));
  }
  mf.observe('late', 'a5');
  bin.observe('late', 'a5');
  assert.deepEqual(bin.scoreAll('late'), mf.scoreAll('late'));
  assert.deepEqual(bin.userVector('late'), mf.userVector('late'));
});

test('activity pivot 0 follows the geometric mean of history lengths, online and after a restore', () => {
  const auto = new ImplicitMF({ ...SMALL, activityExponent: 0.5, activityPivot: 0 });
  assert.equal(auto.activityPivot, 1, 'no data yet');
  const lengths = [2, 8, 4, 16];
  lengths.forEach((n, u) => {
    for (let t = 0; t < n; t++) auto.addInteraction(`u${u}`, `i${(u * 7 + t) % 20}`);
  });
  auto.addInteraction('u0', 'i0', 2); // a repeat: the history length does not change
  const geo = Math.exp(lengths.reduce((s, n) => s + Math.log(n), 0) / lengths.length);
  assert.ok(Math.abs(auto.activityPivot - geo) < 1e-9, `${auto.activityPivot} vs ${geo}`);
  auto.fit();
  // The same as a model configured with that pivot.
  const fixed = new ImplicitMF({ ...SMALL, activityExponent: 0.5, activityPivot: geo });
  lengths.forEach((n, u) => {
    for (let t = 0; t < n; t++) fixed.addInteraction(`u${u}`, `i${(u * 7 + t) % 20}`);
  });
  fixed.addInteraction('u0', 'i0', 2);
  fixed.fit();
  for (const u of ['u0', 'u3']) {
    const a = auto.scoreAll(u);
    const b = fixed.scoreAll(u);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-5);
  }
  // Online: a new user moves the pivot; a restore recounts it.
  auto.observe('u4', 'i3');
  const after = Math.exp((lengths.reduce((s, n) => s + Math.log(n), 0) + Math.log(1)) / 5);
  assert.ok(Math.abs(auto.activityPivot - after) < 1e-9);
  const copy = ImplicitMF.deserialize(auto.serialize());
  assert.ok(Math.abs(copy.activityPivot - after) < 1e-9);
  assert.deepEqual(copy.scoreAll('u4'), auto.scoreAll('u4'));
});

test('tables grow past their initial capacity', () => {
  const mf = new ImplicitMF({ factors: 8, regularization: 1, iterations: 3 });
  for (let i = 0; i < 300; i++) mf.addInteraction(`u${i % 97}`, `i${i}`);
  mf.fit();
  assert.equal(mf.items.size, 300);
  assert.equal(mf.scoreAll('u3').length, 300);
  assert.ok(mf.scoreAll('u3').every(Number.isFinite));
});

test('config is validated', () => {
  assert.throws(() => new ImplicitMF({ factors: 0 }), MFConfigError);
  assert.throws(() => new ImplicitMF({ activityExponent: -1 }), MFConfigError);
  assert.throws(() => new ImplicitMF({ activityPivot: -1 }), MFConfigError);
  assert.throws(() => new ImplicitMF({ missingActivityExponent: 3 }), MFConfigError);
  assert.throws(() => new ImplicitMF({ onlineItemRate: 2 }), MFConfigError);
  assert.throws(() => new ImplicitMF().addInteraction('u', 'i', NaN), MFConfigError);
});

test('Cholesky solve', () => {
  // [[4,2],[2,3]] x = [2, 1] → x = [0.5, 0]
  const x = new Float64Array(2);
  assert.ok(choleskySolveLower(new Float64Array([4, 0, 2, 3]), new Float64Array([2, 1]), x, 2));
  assert.ok(Math.abs(x[0]! - 0.5) < 1e-12 && Math.abs(x[1]!) < 1e-12);
  assert.equal(choleskySolveLower(new Float64Array([-1, 0, 0, 1]), new Float64Array([1, 1]), x, 2), false);
});

test('a new video starts collecting signal from its first viewers (online item step)', () => {
  const mf = planted();
  mf.initItem('new-a');
  const item = mf.items.get('new-a')!;
  // A small random start (never exactly zero), so it scores about 0 until observed.
  assert.ok(Math.abs(mf.scoreAll('u2')[item]!) < 0.05);
  mf.observe('u1', 'new-a');
  // u2 shares u1's taste, u12 does not.
  assert.ok(mf.scoreAll('u2')[item]! > 0.01);
  assert.ok(mf.scoreAll('u2')[item]! > mf.scoreAll('u12')[item]!);
});

test('a model that only ever learns online (no batch fit, as the live feed starts) still learns', () => {
  // Regression: new items used to start at exactly zero, and with all item vectors zero every
  // online re-solve and item step stays at zero, so the live model never learnt anything.
  const mf = new ImplicitMF({ factors: 8 });
  for (let t = 0; t < GROUP; t++) {
    mf.initItem(`a${t}`);
    mf.initItem(`b${t}`);
  }
  for (let round = 0; round < 3; round++)
    for (let j = 0; j < GROUP; j++)
      for (const t of seenBy(j)) {
        mf.observe(`u${j}`, `a${t}`);
        mf.observe(`u${GROUP + j}`, `b${t}`);
      }
  let right = 0;
  for (let j = 0; j < 2 * GROUP; j++) {
    const mine = j < GROUP ? 'a' : 'b';
    const top = mf.topK(`u${j}`, 4, new Set(seenBy(j % GROUP).map((t) => `${mine}${t}`)));
    right += top.filter((x) => x.id[0] === mine).length;
  }
  // 80 recommendations in all; chance would put half in the user's own group.
  assert.ok(right >= 72, `${right} of 80 in the user's group`);
  // And the same index gets the same starting vector in every model with this seed.
  const fresh = () => {
    const m = new ImplicitMF({ factors: 8 });
    m.initItem('x');
    return m.itemVector('x')!;
  };
  assert.deepEqual(fresh(), fresh());
  assert.ok(fresh().some((v) => v !== 0));
});

test('a snapshot written before activity scaling existed restores with it off', () => {
  const mf = planted({ ...SMALL, activityExponent: 0 });
  const { meta, arrays } = decodeSnapshot(mf.serialize(), 'implicit-mf');
  const m = meta as { config: Partial<MFConfig> };
  delete m.config.activityExponent;
  delete m.config.activityPivot;
  delete m.config.missingActivityExponent;
  const restored = ImplicitMF.deserialize(encodeSnapshot('implicit-mf', m, Object.fromEntries(arrays)));
  assert.equal(restored.config.activityExponent, 0);
  assert.equal(restored.config.missingActivityExponent, 0);
  assert.deepEqual(restored.scoreAll('u3'), mf.scoreAll('u3'));
  mf.observe('u3', 'b1');
  restored.observe('u3', 'b1');
  assert.deepEqual(restored.scoreAll('u3'), mf.scoreAll('u3'));
});

test('long histories take the warm conjugate-gradient path and stay sane', () => {
  const mf = new ImplicitMF({ factors: 8, regularization: 1, alpha: 5, iterations: 4 });
  for (let i = 0; i < 400; i++) {
    mf.addInteraction('heavy', `i${i}`);
    mf.addInteraction(`u${i % 50}`, `i${i}`);
    mf.addInteraction(`u${(i * 7) % 50}`, `i${(i * 3) % 400}`);
  }
  mf.fit();
  const target = mf.items.get('i5')!;
  const before = mf.scoreAll('heavy')[target]!;
  mf.observe('heavy', 'i5', 5);
  const after = mf.scoreAll('heavy');
  assert.ok(after.every(Number.isFinite));
  assert.ok(after[target]! > before);
});
