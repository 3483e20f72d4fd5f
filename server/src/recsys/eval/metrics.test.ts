import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mean, ndcgAtRank, rankingMetrics } from './metrics.ts';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

test('P, R, NDCG, MRR by hand', () => {
  // Hits at ranks 2 and 4 of a top-5 list; 3 relevant items in all.
  const r = rankingMetrics([10, 11, 12, 13, 14], new Set([11, 13, 99]), 5);
  close(r.precision, 2 / 5);
  close(r.recall, 2 / 3);
  close(r.mrr, 1 / 2);
  const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
  const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
  close(r.ndcg, dcg / idcg);
});

test('perfect list scores 1; no hit scores 0; IDCG capped at K', () => {
  const perfect = rankingMetrics([1, 2], new Set([1, 2]), 2);
  assert.deepEqual(perfect, { precision: 1, recall: 1, ndcg: 1, mrr: 1 });
  const miss = rankingMetrics([5, 6], new Set([1]), 2);
  assert.deepEqual(miss, { precision: 0, recall: 0, ndcg: 0, mrr: 0 });
  // 3 relevant items but K = 2: two hits on top are a perfect NDCG@2, recall 2/3.
  const capped = rankingMetrics([1, 2], new Set([1, 2, 3]), 2);
  close(capped.ndcg, 1);
  close(capped.recall, 2 / 3);
});

test('a short list is still divided by K for precision', () => {
  close(rankingMetrics([1], new Set([1]), 10).precision, 0.1);
});

test('single-item NDCG at a rank', () => {
  close(ndcgAtRank(1, 10), 1);
  close(ndcgAtRank(3, 10), 0.5);
  close(ndcgAtRank(11, 10), 0);
});

test('Mean tracks mean and sample std', () => {
  const m = new Mean();
  for (const x of [2, 4, 4, 4, 5, 5, 7, 9]) m.add(x);
  close(m.mean, 5);
  close(m.std, Math.sqrt(32 / 7));
  assert.ok(Number.isNaN(new Mean().mean));
});
