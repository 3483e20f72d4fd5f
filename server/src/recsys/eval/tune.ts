import type { KNNConfig } from '../knn.ts';
import type { MFConfig } from '../mf.ts';
import { take, type Interactions } from './dataset.ts';
import { createEvalModel, type Hyperparameters } from './models.ts';
import { evaluateHoldout, kFoldAssignment } from './protocol-a.ts';

/**
 * Hyper-parameter search that never sees a test label: the training part of protocol A's fold 1
 * is split again (a seeded 80/20 random split of its pairs) and configurations are compared by
 * NDCG@10 on that validation part. The chosen values are then used unchanged on all five folds.
 */
type Grid<T> = Partial<Record<keyof T, number[]>>;

/** Per model, one grid or a union of grids (e.g. λ ranges differ with the regularisation exponent). */
export type TuneGrid = {
  mf: Grid<MFConfig> | Grid<MFConfig>[];
  knn: Grid<KNNConfig> | Grid<KNNConfig>[];
};

export const DEFAULT_TUNE_GRID: TuneGrid = {
  mf: [
    // Plain frequency-scaled iALS (the previous defaults' grid, trimmed).
    { regularizationExponent: [1], activityExponent: [0], factors: [64, 128], regularization: [0.05, 0.08, 0.12], alpha: [2, 4, 8] },
    // Activity-scaled confidence. The good (λ, α) pairs lie on a ridge λ ≈ 0.01·(1 + α).
    { regularizationExponent: [1], activityExponent: [0.4, 0.5, 0.6], factors: [64], alpha: [2, 3, 4], regularization: [0.03, 0.035, 0.04, 0.045, 0.05] },
  ],
  knn: { neighbours: [20, 50, 100, 200], shrink: [0, 10, 50], asymmetry: [0.5, 0.7], userWeightExponent: [0, 0.5, 1] },
};

export type TuneTrial = { model: 'itempop' | 'mf' | 'knn'; params: Record<string, number>; 'ndcg@10': number; seconds: number };
export type TuneResult = { trials: TuneTrial[]; best: Hyperparameters; validation: { train: number; validation: number } };

/** Every combination of the grid's value lists (of each grid, for a union). */
export function gridCombinations(grid: Partial<Record<string, number[]>> | Partial<Record<string, number[]>>[]): Record<string, number>[] {
  if (Array.isArray(grid)) return grid.flatMap((g) => gridCombinations(g));
  let out: Record<string, number>[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    if (values === undefined || values.length === 0) continue;
    out = out.flatMap((partial) => values.map((v) => ({ ...partial, [key]: v })));
  }
  return out;
}

/** Validation split of fold 1's training pairs (fold 1 of the same seeded assignment protocol A uses). */
export function validationSplit(data: Interactions, folds: number, seed: number): { train: Interactions; validation: Interactions } {
  const fold = kFoldAssignment(data.length, folds, seed);
  const trainIdx: number[] = [];
  for (let e = 0; e < data.length; e++) if (fold[e] !== 0) trainIdx.push(e);
  const inner = kFoldAssignment(trainIdx.length, 5, seed + 1);
  const tr: number[] = [];
  const va: number[] = [];
  trainIdx.forEach((e, q) => (inner[q] === 0 ? va : tr).push(e));
  return { train: take(data, Int32Array.from(tr)), validation: take(data, Int32Array.from(va)) };
}

export function runTuning(
  data: Interactions,
  opts: { folds: number; seed: number; base: Hyperparameters; grid: TuneGrid; onProgress?: (done: number, total: number, label: string) => void },
): TuneResult {
  const { train, validation } = validationSplit(data, opts.folds, opts.seed);
  const mfTrials = gridCombinations(opts.grid.mf);
  const knnTrials = gridCombinations(opts.grid.knn);
  const total = 1 + mfTrials.length + knnTrials.length;
  const trials: TuneTrial[] = [];
  const best: Hyperparameters = { itempop: { ...opts.base.itempop }, knn: { ...opts.base.knn }, mf: { ...opts.base.mf } };
  let bestMf = -Infinity;
  let bestKnn = -Infinity;
  let done = 0;
  const trial = (model: 'itempop' | 'mf' | 'knn', params: Record<string, number>): number => {
    const hp: Hyperparameters = { ...opts.base, mf: { ...opts.base.mf }, knn: { ...opts.base.knn } };
    if (model !== 'itempop') Object.assign(hp[model], params);
    const label = `tune ${model} ${JSON.stringify(params)}`;
    opts.onProgress?.(done, total, label);
    const t0 = performance.now();
    const m = createEvalModel(model, hp, data);
    m.fit(train, (x) => opts.onProgress?.(done + x, total, label));
    const { metrics } = evaluateHoldout((u, out) => m.score(u, out), train, validation);
    trials.push({ model, params, 'ndcg@10': metrics['ndcg@10'], seconds: (performance.now() - t0) / 1000 });
    opts.onProgress?.(++done, total, label);
    return metrics['ndcg@10'];
  };
  // The reference every tuned figure is read against.
  trial('itempop', {});
  for (const params of mfTrials) {
    const v = trial('mf', params);
    if (v > bestMf) {
      bestMf = v;
      best.mf = { ...opts.base.mf, ...params };
    }
  }
  for (const params of knnTrials) {
    const v = trial('knn', params);
    if (v > bestKnn) {
      bestKnn = v;
      best.knn = { ...opts.base.knn, ...params };
    }
  }
  return { trials, best, validation: { train: train.length, validation: validation.length } };
}
