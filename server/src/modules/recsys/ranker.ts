/**
 * The multi-task ranker: one small logistic head per outcome (complete, like, share, comment,
 * follow, skip, not interested) and a linear head for the watched fraction, over one shared dense
 * feature vector; trained online with SGD from finished views. The feed score is a weighted sum of
 * the heads (weights in `defaultTaskWeights`, configurable), as in X's heavy ranker.
 */
export const FEATURES = [
  'bias',
  'embeddingAffinity',
  'creatorAffinity',
  'hashtagAffinity',
  'completeRate',
  'skipRate',
  'likeRate',
  'shareRate',
  'freshness',
  'popularity',
  'trend',
  'followsCreator',
  'hourSin',
  'hourCos',
  'sessionDepth',
  'duration',
  'isNew',
] as const;
export type FeatureName = (typeof FEATURES)[number];
export const NF = FEATURES.length;
export const fi = Object.fromEntries(FEATURES.map((f, i) => [f, i])) as Record<FeatureName, number>;

export const TASKS = ['complete', 'like', 'share', 'comment', 'follow', 'skip', 'notInterested'] as const;
export type Task = (typeof TASKS)[number];
export type Outcome = Record<Task, boolean> & { watchFraction: number };
export type Prediction = Record<Task, number> & { watchFraction: number };

/** How much each predicted outcome is worth in the feed score. Negative outcomes subtract. */
export const defaultTaskWeights: Record<Task | 'watchFraction', number> = {
  complete: 1.0,
  watchFraction: 1.5,
  like: 2.0,
  share: 3.0,
  comment: 2.0,
  follow: 4.0,
  skip: -1.0,
  notInterested: -8.0,
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-Math.max(-30, Math.min(30, z))));
const logit = (p: number) => Math.log(p / (1 - p));

export type RankerState = { version: 1; heads: Record<Task | 'watchFraction', number[]>; updates: number };

/** Priors that make an untrained ranker sensible: base rates in the bias, obvious signs on the obvious features. */
function initialHeads(): RankerState['heads'] {
  const h = (base: number, extra: Partial<Record<FeatureName, number>>) => {
    const w = new Array<number>(NF).fill(0);
    w[fi.bias] = base;
    for (const [k, v] of Object.entries(extra)) w[fi[k as FeatureName]] = v;
    return w;
  };
  return {
    complete: h(logit(0.3), { completeRate: 3, embeddingAffinity: 2, creatorAffinity: 1.5, hashtagAffinity: 1.5, skipRate: -2 }),
    like: h(logit(0.05), { likeRate: 8, embeddingAffinity: 1.5, creatorAffinity: 1, hashtagAffinity: 1 }),
    share: h(logit(0.01), { shareRate: 20, embeddingAffinity: 0.5 }),
    comment: h(logit(0.01), { embeddingAffinity: 0.5, creatorAffinity: 0.5 }),
    follow: h(logit(0.005), { creatorAffinity: 1, followsCreator: -5 }),
    skip: h(logit(0.35), { skipRate: 3, embeddingAffinity: -2, creatorAffinity: -1.5, hashtagAffinity: -1.5 }),
    notInterested: h(logit(0.005), { embeddingAffinity: -1 }),
    watchFraction: h(0.4, { completeRate: 0.5, embeddingAffinity: 0.4, creatorAffinity: 0.2, hashtagAffinity: 0.2, skipRate: -0.3 }),
  };
}

export function createRanker(opts: { learningRate?: number; l2?: number; weights?: Partial<typeof defaultTaskWeights>; state?: RankerState } = {}) {
  const lr = opts.learningRate ?? 0.05;
  const l2 = opts.l2 ?? 1e-4;
  const weights = { ...defaultTaskWeights, ...opts.weights };
  const state: RankerState = opts.state ?? { version: 1, heads: initialHeads(), updates: 0 };
  const dot = (w: number[], x: Float32Array) => {
    let s = 0;
    for (let i = 0; i < NF; i++) s += w[i]! * x[i]!;
    return s;
  };

  function predict(x: Float32Array): Prediction {
    const p = {} as Prediction;
    for (const t of TASKS) p[t] = sigmoid(dot(state.heads[t], x));
    p.watchFraction = Math.max(0, Math.min(3, dot(state.heads.watchFraction, x)));
    return p;
  }

  function score(p: Prediction): number {
    let s = weights.watchFraction * Math.min(1.5, p.watchFraction);
    for (const t of TASKS) s += weights[t] * p[t];
    return s;
  }

  // The request path scores hundreds of candidates per page: the heads and weights as flat arrays
  // (the same arrays `learn` updates in place), so scoring allocates nothing per candidate.
  const taskHeads = TASKS.map((t) => state.heads[t]);
  const taskWeights = TASKS.map((t) => weights[t]);
  const dotAt = (w: number[], x: Float32Array, off: number) => {
    let s = 0;
    for (let i = 0; i < NF; i++) s += w[i]! * x[off + i]!;
    return s;
  };
  /** score(predict(x)) for the feature vector at x[off … off + NF), without the intermediate objects. */
  function scoreAt(x: Float32Array, off: number): number {
    const wf = Math.max(0, Math.min(3, dotAt(state.heads.watchFraction, x, off)));
    let s = weights.watchFraction * Math.min(1.5, wf);
    for (let t = 0; t < taskHeads.length; t++) s += taskWeights[t]! * sigmoid(dotAt(taskHeads[t]!, x, off));
    return s;
  }

  return {
    weights,
    predict,
    score,
    scoreAt,
    /** One SGD step per head from a finished view (log loss for the classifiers, squared loss for watch fraction). */
    learn(x: Float32Array, outcome: Outcome) {
      for (const t of TASKS) {
        const w = state.heads[t];
        const g = sigmoid(dot(w, x)) - (outcome[t] ? 1 : 0);
        for (let i = 0; i < NF; i++) w[i] = w[i]! - lr * (g * x[i]! + (i === 0 ? 0 : l2 * w[i]!));
      }
      const w = state.heads.watchFraction;
      const err = dot(w, x) - Math.min(3, outcome.watchFraction);
      for (let i = 0; i < NF; i++) w[i] = w[i]! - lr * 0.5 * (err * x[i]! + (i === 0 ? 0 : l2 * w[i]!));
      state.updates++;
    },
    /** Which features pushed this item's score up the most (a linearisation around the prediction), for "Why this video?". */
    explain(x: Float32Array, top = 3): { feature: FeatureName; contribution: number }[] {
      const contrib = new Float64Array(NF);
      for (const t of TASKS) {
        const p = sigmoid(dot(state.heads[t], x));
        const k = weights[t] * p * (1 - p);
        for (let i = 1; i < NF; i++) contrib[i]! += k * state.heads[t][i]! * x[i]!;
      }
      for (let i = 1; i < NF; i++) contrib[i]! += weights.watchFraction * state.heads.watchFraction[i]! * x[i]!;
      return [...contrib]
        .map((c, i) => ({ feature: FEATURES[i]!, contribution: c }))
        .filter((c) => c.feature !== 'bias' && c.contribution > 1e-3)
        .sort((a, b) => b.contribution - a.contribution)
        .slice(0, top);
    },
    state: () => state,
  };
}
export type Ranker = ReturnType<typeof createRanker>;
