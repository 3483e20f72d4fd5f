import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bumpTrend, decayedTrend, emptyStats, smoothedRates, TREND_HALF_LIFE_MS } from './video-stats.ts';

test('few views are pulled to the prior; many views speak for themselves', () => {
  const few = { ...emptyStats(), views: 3, completes: 3 };
  const many = { ...emptyStats(), views: 3000, completes: 2700 };
  assert.ok(smoothedRates(few).complete < 0.5);
  assert.ok(Math.abs(smoothedRates(many).complete - 0.9) < 0.01);
  assert.ok(smoothedRates(emptyStats()).complete > 0.29 && smoothedRates(emptyStats()).complete < 0.31);
});

test('trend halves every half-life', () => {
  const s = emptyStats();
  bumpTrend(s, 1000, 8);
  assert.equal(decayedTrend(s, 1000), 8);
  assert.ok(Math.abs(decayedTrend(s, 1000 + TREND_HALF_LIFE_MS) - 4) < 1e-9);
  bumpTrend(s, 1000 + 2 * TREND_HALF_LIFE_MS, 1);
  assert.ok(Math.abs(s.trend - 3) < 1e-9);
});
