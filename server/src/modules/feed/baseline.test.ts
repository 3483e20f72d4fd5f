import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hotScore, rankBaseline, type Candidate } from './baseline.ts';

const now = new Date('2026-11-26T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

test('a popular recent video outranks an old hit and an unseen new one', () => {
  const oldHit: Candidate = { id: 'a', userId: 'u1', views: 1000, likes: 100, publishedAt: hoursAgo(24 * 30) };
  const recent: Candidate = { id: 'b', userId: 'u2', views: 200, likes: 20, publishedAt: hoursAgo(3) };
  const brandNew: Candidate = { id: 'c', userId: 'u3', views: 0, likes: 0, publishedAt: hoursAgo(0.1) };
  assert.ok(hotScore(recent, now) > hotScore(oldHit, now));
  assert.ok(hotScore(recent, now) > hotScore(brandNew, now));
});

test('mixes popular and fresh, every video exactly once, no creator twice in a row when avoidable', () => {
  const cands: Candidate[] = Array.from({ length: 30 }, (_, i) => ({ id: `v${i}`, userId: `u${i % 4}`, views: i * 10, likes: i, publishedAt: hoursAgo(i) }));
  const ranked = rankBaseline(cands, now);
  assert.equal(ranked.length, 30);
  assert.equal(new Set(ranked.map((r) => r.id)).size, 30);
  assert.ok(ranked.some((r) => r.reason === 'baseline:fresh'));
  assert.ok(ranked.some((r) => r.reason === 'baseline:popular'));
  const owner = new Map(cands.map((c) => [c.id, c.userId]));
  for (let i = 1; i < ranked.length; i++) assert.notEqual(owner.get(ranked[i]!.id), owner.get(ranked[i - 1]!.id), `creator repeats at ${i}`);
});
