import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap } from './ids.ts';

test('dense, stable indices; get-or-insert; JSON round trip', () => {
  const m = new IdMap();
  assert.equal(m.add('7f9c-uuid'), 0);
  assert.equal(m.add('42'), 1);
  assert.equal(m.add('7f9c-uuid'), 0);
  assert.equal(m.get('nope'), undefined);
  assert.equal(m.id(1), '42');
  assert.throws(() => m.id(2), RangeError);
  const back = IdMap.fromJSON(JSON.parse(JSON.stringify(m)) as string[]);
  assert.deepEqual(back.ids(), ['7f9c-uuid', '42']);
  assert.throws(() => IdMap.fromJSON(['a', 'a']));
});
