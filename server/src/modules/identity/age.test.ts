import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageOn } from './age.ts';

test('age counts whole years and respects the birthday', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  assert.equal(ageOn('2013-11-26', now), 13);
  assert.equal(ageOn('2013-11-27', now), 12);
  assert.equal(ageOn('2008-11-27', now), 17);
  assert.equal(ageOn('2008-11-26', now), 18);
  assert.equal(ageOn('2008-02-29', new Date('2026-02-28T00:00:00Z')), 17);
});
