import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ItemPop } from './item-pop.ts';

test('counts rank items; exclusions respected', () => {
  const pop = new ItemPop();
  for (const [item, n] of [
    ['a', 3],
    ['b', 5],
    ['c', 1],
  ] as const)
    for (let k = 0; k < n; k++) pop.observe(item);
  assert.deepEqual(
    pop.topK(3).map((x) => x.id),
    ['b', 'a', 'c'],
  );
  assert.deepEqual(
    pop.topK(2, new Set(['b'])).map((x) => x.id),
    ['a', 'c'],
  );
});

test('with a half-life, recent activity beats an old hit', () => {
  const day = 86_400;
  const pop = new ItemPop({ halfLifeSeconds: day });
  for (let k = 0; k < 8; k++) pop.observe('old-hit', 1, 0);
  for (let k = 0; k < 3; k++) pop.observe('rising', 1, 3 * day);
  const s = pop.scoreAll(3 * day);
  assert.ok(Math.abs(s[pop.items.get('old-hit')!]! - 1) < 1e-6); // 8 halved three times
  assert.equal(pop.topK(1)[0]!.id, 'rising');
  assert.throws(() => new ItemPop({ halfLifeSeconds: 0 }), RangeError);
});

test('serialisation round trip', () => {
  const pop = new ItemPop({ halfLifeSeconds: 3600 });
  pop.observe('x', 2, 100);
  pop.observe('y', 1, 200);
  const copy = ItemPop.deserialize(pop.serialize());
  assert.deepEqual(copy.scoreAll(500), pop.scoreAll(500));
  assert.deepEqual(ItemPop.deserialize(new ItemPop().serialize()).topK(3), []);
});
