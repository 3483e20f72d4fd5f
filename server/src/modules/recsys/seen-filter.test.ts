import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeenFilter } from './seen-filter.ts';

test('no false negatives, about 1% false positives at capacity, survives JSON', () => {
  const f = new SeenFilter(2000, 0.01);
  for (let i = 0; i < 2000; i++) f.add(`seen-${i}`);
  for (let i = 0; i < 2000; i++) assert.ok(f.has(`seen-${i}`));
  let fp = 0;
  for (let i = 0; i < 20000; i++) if (f.has(`other-${i}`)) fp++;
  assert.ok(fp / 20000 < 0.02, `false positive rate ${fp / 20000}`);
  const g = SeenFilter.fromJSON(JSON.parse(JSON.stringify(f)) as ReturnType<SeenFilter['toJSON']>);
  assert.ok(g.has('seen-5'));
  assert.equal(g.count, 2000);
  assert.equal(g.full, f.full);
});
