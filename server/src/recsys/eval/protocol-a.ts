import { createRng, shuffle } from '../rng.ts';
import { topKIndices } from '../top-k.ts';
import { take, type Interactions } from './dataset.ts';
import { Mean, rankingMetrics } from './metrics.ts';
import { createEvalModel, type Hyperparameters, type ModelName } from './models.ts';

/**
 * Protocol A, the one most published implicit-feedback numbers use: k-fold random split of the
 * positive (user, item) pairs; for every user with ≥ 1 test pair, rank all items except that
 * user's training items and compare the top 10 with the test pairs. Metrics are averaged over
 * users within a fold, then over folds.
 */
export type ProtocolAOptions = {
  folds: number;
  seed: number;
  models: readonly ModelName[];
  hp: Hyperparameters;
  /** Run only the first n folds (tuning, smoke tests); default all. */
  runFolds?: number;
  onProgress?: (done: number, total: number, label: string) => void;
};

/** Cut-off of every protocol A metric. */
export const K = 10;

export type MetricSummary = { 'ndcg@10': number; 'p@10': number; 'r@10': number; 'mrr@10': number; 'coverage@10': number };

export type ProtocolAModelResult = MetricSummary & {
  std: MetricSummary;
  perFold: MetricSummary[];
  fitSeconds: number;
  evalSeconds: number;
};

export type ProtocolAResult = {
  folds: number;
  foldsRun: number;
  k: number;
  usersEvaluatedPerFold: number[];
  models: Partial<Record<ModelName, ProtocolAModelResult>>;
};

/** Fold of every event: a seeded permutation dealt round-robin, so folds differ in size by ≤ 1. */
export function kFoldAssignment(n: number, folds: number, seed: number): Uint8Array {
  if (!Number.isInteger(folds) || folds < 2 || folds > 255) throw new RangeError('folds must be an integer in 2..255');
  const perm = shuffle(
    Int32Array.from({ length: n }, (_, i) => i),
    createRng(seed),
  );
  const fold = new Uint8Array(n);
  for (let q = 0; q < n; q++) fold[perm[q]!] = q % folds;
  return fold;
}

/** Per-user item lists of a set of events (CSR by user). */
export function byUser(events: Interactions, numUsers: number): { ptr: Int32Array; items: Int32Array } {
  const ptr = new Int32Array(numUsers + 1);
  for (let e = 0; e < events.length; e++) ptr[events.user[e]! + 1]!++;
  for (let u = 0; u < numUsers; u++) ptr[u + 1]! += ptr[u]!;
  const fill = ptr.slice(0, numUsers);
  const items = new Int32Array(events.length);
  for (let e = 0; e < events.length; e++) items[fill[events.user[e]!]!++] = events.item[e]!;
  return { ptr, items };
}

/**
 * Evaluates a trained model on held-out pairs: for each user with test items, the top 10 over all
 * items not in the user's training items.
 */
export function evaluateHoldout(
  score: (u: number, out: Float32Array) => void,
  train: Interactions,
  test: Interactions,
): { metrics: MetricSummary; users: number } {
  const nUsers = train.users.size;
  const nItems = train.items.size;
  const tr = byUser(train, nUsers);
  const te = byUser(test, nUsers);
  const scores = new Float32Array(nItems);
  const skip = new Uint8Array(nItems);
  const covered = new Uint8Array(nItems);
  const m = { ndcg: new Mean(), p: new Mean(), r: new Mean(), mrr: new Mean() };
  for (let u = 0; u < nUsers; u++) {
    if (te.ptr[u + 1] === te.ptr[u]) continue;
    const relevant = new Set(te.items.subarray(te.ptr[u], te.ptr[u + 1]));
    const seen = tr.items.subarray(tr.ptr[u], tr.ptr[u + 1]);
    for (const i of seen) skip[i] = 1;
    score(u, scores);
    const list = topKIndices(scores, K, skip);
    for (const i of seen) skip[i] = 0;
    for (const i of list) covered[i] = 1;
    const r = rankingMetrics(list, relevant, K);
    m.ndcg.add(r.ndcg);
    m.p.add(r.precision);
    m.r.add(r.recall);
    m.mrr.add(r.mrr);
  }
  let cov = 0;
  for (let i = 0; i < nItems; i++) cov += covered[i]!;
  return {
    metrics: { 'ndcg@10': m.ndcg.mean, 'p@10': m.p.mean, 'r@10': m.r.mean, 'mrr@10': m.mrr.mean, 'coverage@10': cov / Math.max(1, nItems) },
    users: m.ndcg.count,
  };
}

export function runProtocolA(data: Interactions, opts: ProtocolAOptions): ProtocolAResult {
  const fold = kFoldAssignment(data.length, opts.folds, opts.seed);
  const foldsRun = Math.min(opts.runFolds ?? opts.folds, opts.folds);
  const total = foldsRun * opts.models.length;
  const perModel = new Map<ModelName, { folds: MetricSummary[]; fit: number; eval: number }>();
  const usersPerFold: number[] = [];
  let done = 0;
  for (let f = 0; f < foldsRun; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let e = 0; e < data.length; e++) (fold[e] === f ? testIdx : trainIdx).push(e);
    const train = take(data, Int32Array.from(trainIdx));
    const test = take(data, Int32Array.from(testIdx));
    for (const name of opts.models) {
      const label = `fold ${f + 1}/${foldsRun} ${name}`;
      opts.onProgress?.(done, total, `${label} fit`);
      const model = createEvalModel(name, opts.hp, data);
      const t0 = performance.now();
      model.fit(train, (x) => opts.onProgress?.(done + 0.8 * x, total, `${label} fit`));
      const t1 = performance.now();
      opts.onProgress?.(done + 0.8, total, `${label} eval`);
      const { metrics, users } = evaluateHoldout((u, out) => model.score(u, out), train, test);
      const t2 = performance.now();
      if (usersPerFold.length === f) usersPerFold.push(users);
      const acc = perModel.get(name) ?? { folds: [], fit: 0, eval: 0 };
      acc.folds.push(metrics);
      acc.fit += (t1 - t0) / 1000;
      acc.eval += (t2 - t1) / 1000;
      perModel.set(name, acc);
      done++;
      opts.onProgress?.(done, total, label);
    }
  }
  const models: Partial<Record<ModelName, ProtocolAModelResult>> = {};
  for (const [name, acc] of perModel) {
    const mean = {} as MetricSummary;
    const std = {} as MetricSummary;
    for (const key of Object.keys(acc.folds[0]!) as (keyof MetricSummary)[]) {
      const m = new Mean();
      for (const fm of acc.folds) m.add(fm[key]);
      mean[key] = m.mean;
      std[key] = m.std;
    }
    models[name] = { ...mean, std, perFold: acc.folds, fitSeconds: acc.fit, evalSeconds: acc.eval };
  }
  return { folds: opts.folds, foldsRun, k: K, usersEvaluatedPerFold: usersPerFold, models };
}
