/**
 * Top-K ranking metrics with binary relevance.
 * - P@K = hits / K (K, not the list length: a short list is penalised).
 * - R@K = hits / |relevant|.
 * - NDCG@K = DCG / IDCG with gain 1/log2(rank+1) and IDCG over min(|relevant|, K) hits.
 * - MRR@K = 1 / rank of the first hit within K, else 0.
 */
export type RankingMetrics = { precision: number; recall: number; ndcg: number; mrr: number };

const LOG2 = Array.from({ length: 1025 }, (_, i) => (i === 0 ? 0 : 1 / Math.log2(i + 1)));

/** 1/log2(rank+1) for a 1-based rank. */
export function discount(rank: number): number {
  return rank < LOG2.length ? LOG2[rank]! : 1 / Math.log2(rank + 1);
}

export function rankingMetrics(list: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): RankingMetrics {
  if (relevant.size === 0) throw new RangeError('rankingMetrics needs at least one relevant item');
  let hits = 0;
  let dcg = 0;
  let mrr = 0;
  const n = Math.min(k, list.length);
  for (let r = 0; r < n; r++) {
    if (!relevant.has(list[r]!)) continue;
    hits++;
    dcg += discount(r + 1);
    if (mrr === 0) mrr = 1 / (r + 1);
  }
  let idcg = 0;
  for (let r = 1; r <= Math.min(relevant.size, k); r++) idcg += discount(r);
  return { precision: hits / k, recall: hits / relevant.size, ndcg: dcg / idcg, mrr };
}

/** Single relevant item at 1-based `rank`: NDCG@K and hit@K (= Recall@K for one item). */
export function ndcgAtRank(rank: number, k: number): number {
  return rank <= k ? discount(rank) : 0;
}

/** Running mean and sample standard deviation (Welford). */
export class Mean {
  private n = 0;
  private m = 0;
  private s = 0;
  add(x: number): void {
    this.n++;
    const d = x - this.m;
    this.m += d / this.n;
    this.s += d * (x - this.m);
  }
  get count(): number {
    return this.n;
  }
  get mean(): number {
    return this.n === 0 ? NaN : this.m;
  }
  get std(): number {
    return this.n < 2 ? 0 : Math.sqrt(this.s / (this.n - 1));
  }
}
