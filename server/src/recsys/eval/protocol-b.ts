import { createRng } from '../rng.ts';
import { rankOf, topKIndices } from '../top-k.ts';
import { chronological, subset, take, type Interactions } from './dataset.ts';
import { Mean, ndcgAtRank } from './metrics.ts';
import { createEvalModel, type Hyperparameters, type ModelName } from './models.ts';

/**
 * Protocol B, feed-realistic: a global temporal split (the last `testFraction` of all events by
 * time is the test stream), then a prequential replay of the test stream in time order. Each test
 * event (u, i) is scored BEFORE anything learns from it: the rank of i among all items that exist
 * by then and u has not interacted with yet. Then:
 * - `online`: the model trained once on the training part applies `observe(u, i)` (what the live
 *   feed does on every event);
 * - `daily`: no updates between retrains; the model is retrained from scratch on everything so far
 *   at the start of each simulated day. A "day" is an equal share of the test events (`days` of
 *   them), not a calendar day: MovieLens timestamps are too bursty and sparse (612 calendar days
 *   hold its last 20% of events) for calendar retrains to be affordable or comparable.
 *
 * Items enter the catalogue at their first event (training or test): a model may only rank what
 * has been published. Users seen only in the test stream are cold-start users; their events are
 * also reported separately.
 *
 * Metrics per scored event: NDCG@10 and Recall@20 (single relevant item, so Recall@20 = hit@20).
 * Over all top-10 lists shown: catalogue coverage (distinct items shown / all items), mean
 * popularity percentile of shown items (1 = the most popular item of the training period) and
 * novelty (mean self-information −log2((count+1)/(users+1)) of shown items, training-period
 * counts).
 */
export type Variant = 'online' | 'daily';
export const VARIANTS: readonly Variant[] = ['online', 'daily'];

export type ProtocolBOptions = {
  testFraction: number;
  days: number;
  /** Fraction of test events that are scored (all are still learned from); 1 = all. */
  sample: number;
  seed: number;
  models: readonly ModelName[];
  variants: readonly Variant[];
  hp: Hyperparameters;
  onProgress?: (done: number, total: number, label: string) => void;
};

export type ProtocolBRun = {
  'ndcg@10': number;
  'recall@20': number;
  'coverage@10': number;
  popularityPercentile: number;
  novelty: number;
  scoredEvents: number;
  coldUserEvents: { events: number; 'ndcg@10': number; 'recall@20': number };
  warmUserEvents: { events: number; 'ndcg@10': number; 'recall@20': number };
  retrains: number;
  fitSeconds: number;
  replaySeconds: number;
};

export type ProtocolBResult = {
  split: {
    trainEvents: number;
    testEvents: number;
    scoredEvents: number;
    cutTime: string;
    endTime: string;
    testUsers: number;
    coldTestUsers: number;
    days: number;
  };
  runs: Record<string, ProtocolBRun>;
};

export function runProtocolB(all: Interactions, opts: ProtocolBOptions): ProtocolBResult {
  if (!(opts.testFraction > 0 && opts.testFraction < 1)) throw new RangeError('testFraction must be in (0, 1)');
  if (!Number.isInteger(opts.days) || opts.days < 1) throw new RangeError('days must be an integer ≥ 1');
  if (!(opts.sample > 0 && opts.sample <= 1)) throw new RangeError('sample must be in (0, 1]');
  const data = subset(all, (e) => Number.isFinite(all.time[e]!));
  const order = chronological(data);
  const n = order.length;
  const cut = Math.floor(n * (1 - opts.testFraction));
  if (cut < 1 || cut >= n) throw new RangeError('not enough timed events for a temporal split');
  const nUsers = data.users.size;
  const nItems = data.items.size;

  const rng = createRng(opts.seed);
  const sampled = new Uint8Array(n - cut);
  for (let q = 0; q < sampled.length; q++) sampled[q] = opts.sample >= 1 || rng.next() < opts.sample ? 1 : 0;
  const dayStart = Array.from({ length: opts.days }, (_, d) => cut + Math.floor((d * (n - cut)) / opts.days));

  // Training-period popularity, for novelty and popularity percentiles.
  const trainCount = new Float64Array(nItems);
  const trainUser = new Uint8Array(nUsers);
  for (let q = 0; q < cut; q++) {
    trainCount[data.item[order[q]!]!]!++;
    trainUser[data.user[order[q]!]!] = 1;
  }
  let trainUsers = 0;
  for (let u = 0; u < nUsers; u++) trainUsers += trainUser[u]!;
  const percentile = popularityPercentiles(trainCount);
  const selfInfo = Float64Array.from(trainCount, (c) => -Math.log2((c + 1) / (trainUsers + 1)));
  const testUsers = new Set<number>();
  for (let q = cut; q < n; q++) testUsers.add(data.user[order[q]!]!);
  let coldTestUsers = 0;
  for (const u of testUsers) if (trainUser[u] === 0) coldTestUsers++;

  const runs: Record<string, ProtocolBRun> = {};
  const plan = opts.models.flatMap((m) => opts.variants.map((v) => [m, v] as const));
  const total = plan.length;
  let done = 0;
  for (const [name, variant] of plan) {
    const label = `${name}-${variant}`;
    const model = createEvalModel(name, opts.hp, data);
    const unpublished = new Uint8Array(nItems).fill(1);
    const seen: number[][] = Array.from({ length: nUsers }, () => []);
    for (let q = 0; q < cut; q++) {
      const e = order[q]!;
      unpublished[data.item[e]!] = 0;
      seen[data.user[e]!]!.push(data.item[e]!);
    }
    const scores = new Float32Array(nItems);
    const shown = new Uint8Array(nItems);
    const all = { ndcg: new Mean(), recall: new Mean() };
    const cold = { ndcg: new Mean(), recall: new Mean() };
    const warm = { ndcg: new Mean(), recall: new Mean() };
    const pct = new Mean();
    const nov = new Mean();
    let fitMs = 0;
    let retrains = 0;
    const fit = (upTo: number): void => {
      const t0 = performance.now();
      opts.onProgress?.(done + (upTo - cut) / (n - cut), total, `${label} fit #${retrains + 1}`);
      model.fit(take(data, order.subarray(0, upTo)));
      fitMs += performance.now() - t0;
      retrains++;
    };
    const t0 = performance.now();
    if (variant === 'online') fit(cut);
    let day = 0;
    for (let q = cut; q < n; q++) {
      if (variant === 'daily' && day < dayStart.length && q === dayStart[day]) {
        fit(q);
        day++;
      }
      const e = order[q]!;
      const u = data.user[e]!;
      const i = data.item[e]!;
      unpublished[i] = 0;
      if (sampled[q - cut] === 1) {
        model.score(u, scores);
        const hist = seen[u]!;
        for (const j of hist) unpublished[j] = 1;
        const rank = rankOf(scores, i, unpublished);
        const list = topKIndices(scores, 10, unpublished);
        for (const j of hist) unpublished[j] = 0;
        const nd = ndcgAtRank(rank, 10);
        const rc = rank <= 20 ? 1 : 0;
        all.ndcg.add(nd);
        all.recall.add(rc);
        const seg = trainUser[u] === 1 ? warm : cold;
        seg.ndcg.add(nd);
        seg.recall.add(rc);
        for (const j of list) {
          shown[j] = 1;
          pct.add(percentile[j]!);
          nov.add(selfInfo[j]!);
        }
      }
      if (variant === 'online') model.observe(u, i, 1, data.time[e]!);
      seen[u]!.push(i);
      if ((q - cut) % 256 === 0) opts.onProgress?.(done + (q - cut) / (n - cut), total, label);
    }
    const replayMs = performance.now() - t0 - fitMs;
    let covered = 0;
    for (let j = 0; j < nItems; j++) covered += shown[j]!;
    runs[label] = {
      'ndcg@10': all.ndcg.mean,
      'recall@20': all.recall.mean,
      'coverage@10': covered / nItems,
      popularityPercentile: pct.mean,
      novelty: nov.mean,
      scoredEvents: all.ndcg.count,
      coldUserEvents: { events: cold.ndcg.count, 'ndcg@10': cold.ndcg.mean, 'recall@20': cold.recall.mean },
      warmUserEvents: { events: warm.ndcg.count, 'ndcg@10': warm.ndcg.mean, 'recall@20': warm.recall.mean },
      retrains,
      fitSeconds: fitMs / 1000,
      replaySeconds: replayMs / 1000,
    };
    done++;
    opts.onProgress?.(done, total, label);
  }
  const iso = (t: number) => new Date(t * 1000).toISOString();
  return {
    split: {
      trainEvents: cut,
      testEvents: n - cut,
      scoredEvents: sampled.reduce((a, b) => a + b, 0),
      cutTime: iso(data.time[order[cut]!]!),
      endTime: iso(data.time[order[n - 1]!]!),
      testUsers: testUsers.size,
      coldTestUsers,
      days: opts.days,
    },
    runs,
  };
}

/** Fraction of items strictly less popular, plus half the ties: 0 = least, ~1 = most popular. */
export function popularityPercentiles(count: Float64Array): Float64Array {
  const n = count.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => count[a]! - count[b]!);
  const out = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start;
    while (end + 1 < n && count[idx[end + 1]!] === count[idx[start]!]) end++;
    const p = n === 1 ? 1 : (start + (end - start) / 2) / (n - 1);
    for (let q = start; q <= end; q++) out[idx[q]!] = p;
    start = end + 1;
  }
  return out;
}
