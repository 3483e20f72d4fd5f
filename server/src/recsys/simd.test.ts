import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImplicitMF } from './mf.ts';
import { createRng } from './rng.ts';
import { dotRows, FactorTable, SIMD_SCORING } from './simd.ts';

test('the SIMD kernel is available on this runtime', () => {
  assert.equal(SIMD_SCORING, true);
  assert.equal(new FactorTable(32, 10).simd, true);
  // Widths the 8-wide kernel cannot take stay in JavaScript.
  assert.equal(new FactorTable(12, 10).simd, false);
});

for (const k of [8, 16, 32, 64, 12]) {
  test(`FactorTable.scan agrees with the scalar dot product (k = ${k}), across growth`, () => {
    const rng = createRng(k);
    const t = new FactorTable(k, 3);
    const n = 1000;
    // Fill in three steps, growing each time, so rows written before a growth must survive it.
    for (const upto of [3, 200, n]) {
      const rows = t.ensure(upto);
      for (let q = 0; q < upto * k; q++) if (rows[q] === 0) rows[q] = rng.normal();
    }
    const x = Float32Array.from({ length: k }, () => rng.normal());
    const got = new Float32Array(n);
    t.scan(x, n, got);
    const want = new Float32Array(n);
    dotRows(x, t.rows, n, k, want);
    for (let j = 0; j < n; j++) assert.ok(Math.abs(got[j]! - want[j]!) <= 1e-5 * (1 + Math.abs(want[j]!)), `row ${j}: ${got[j]} vs ${want[j]}`);
    // New rows after a growth read as zero; n = 0 writes nothing.
    const rows = t.ensure(n + 1);
    assert.ok(rows.subarray(n * k, (n + 1) * k).every((v) => v === 0));
    const none = new Float32Array(4).fill(7);
    t.scan(x, 0, none);
    assert.deepEqual([...none], [7, 7, 7, 7]);
  });
}

test('MF scores through the table match the factor vectors, and survive serialisation', () => {
  const mf = new ImplicitMF({ factors: 16, iterations: 3 });
  const rng = createRng(5);
  for (let e = 0; e < 3000; e++) mf.addInteraction(`u${rng.int(60)}`, `i${rng.int(300)}`);
  mf.fit();
  mf.observe('u1', 'brand-new');
  const scores = mf.scoreAll('u1');
  const x = mf.userVector('u1');
  for (const id of ['i0', 'i17', 'brand-new']) {
    const y = mf.itemVector(id)!;
    let s = 0;
    for (let a = 0; a < 16; a++) s += x[a]! * y[a]!;
    assert.ok(Math.abs(scores[mf.items.get(id)!]! - s) < 1e-5);
  }
  assert.deepEqual(ImplicitMF.deserialize(mf.serialize()).scoreAll('u1'), scores);
});
