import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chronological, describe, InteractionsBuilder, positives } from './dataset.ts';

function build(rows: [string, string, number, number][]) {
  const b = new InteractionsBuilder();
  for (const [u, i, v, t] of rows) b.push(u, i, v, t);
  return b.build();
}

test('positives: threshold, one event per pair (the first positive), original order kept', () => {
  const d = build([
    ['u', 'a', 0.5, 1],
    ['u', 'a', 2.5, 5],
    ['u', 'b', 3, 2],
    ['u', 'a', 4, 3],
    ['v', 'a', 1, 4],
  ]);
  const p = positives(d, 2);
  assert.equal(p.length, 2);
  // (u,a) keeps its earliest positive event (t = 3), not the later one at t = 5.
  assert.deepEqual(Array.from(p.time), [2, 3]);
  assert.equal(positives(d).length, 3);
  assert.equal(p.users, d.users);
});

test('chronological: stable, NaN times last', () => {
  const d = build([
    ['u', 'a', 1, 5],
    ['u', 'b', 1, NaN],
    ['u', 'c', 1, 1],
    ['u', 'd', 1, 5],
  ]);
  assert.deepEqual(Array.from(chronological(d)), [2, 0, 3, 1]);
  assert.deepEqual(describe(d), { users: 1, items: 4, events: 4, density: 1 });
});
