import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap } from './ids.ts';
import { rankOf, skipMask, topKIndices } from './top-k.ts';

test('top-k: best first, ties to the lower index, skipped items never listed', () => {
  const s = new Float32Array([0.5, 0.9, 0.9, 0.1, 0.7, NaN]);
  assert.deepEqual(Array.from(topKIndices(s, 3)), [1, 2, 4]);
  assert.deepEqual(Array.from(topKIndices(s, 10)), [1, 2, 4, 0, 3]);
  assert.deepEqual(Array.from(topKIndices(s, 2, new Uint8Array([0, 1, 0, 0, 0, 0]))), [2, 4]);
  assert.equal(topKIndices(s, 0).length, 0);
});

test('rankOf agrees with the list order, including ties and skips', () => {
  const s = new Float32Array([3, 1, 3, 2, 3]);
  const skip = new Uint8Array([0, 0, 1, 0, 0]);
  const list = Array.from(topKIndices(s, 5, skip));
  list.forEach((item, r) => assert.equal(rankOf(s, item, skip), r + 1));
});

test('top-k of 10k random scores matches a full sort', () => {
  const s = Float32Array.from({ length: 10_000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453));
  const sorted = Array.from(s.keys()).sort((a, b) => s[b]! - s[a]! || a - b);
  assert.deepEqual(Array.from(topKIndices(s, 50)), sorted.slice(0, 50));
});

test('skipMask maps known ids and ignores unknown ones', () => {
  const ids = new IdMap(['a', 'b', 'c']);
  assert.deepEqual(Array.from(skipMask(ids, new Set(['c', 'zzz']))!), [0, 0, 1]);
  assert.equal(skipMask(ids, new Set()), undefined);
});
