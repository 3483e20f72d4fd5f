/**
 * Per-video engagement counters and their Bayesian-smoothed rates: a video with 3 views and 3
 * completions is not "100% completion" — it is pulled toward the catalogue's prior until it has
 * the evidence (Beta-Binomial posterior mean with a prior of `strength` pseudo-views).
 */
export type VideoStats = {
  impressions: number;
  views: number;
  completes: number;
  skips: number;
  likes: number;
  shares: number;
  comments: number;
  follows: number;
  notInterested: number;
  watchMs: number;
  /** Exponentially decayed view count (half-life `TREND_HALF_LIFE_MS`) and when it was last decayed. */
  trend: number;
  trendAt: number;
};

export const TREND_HALF_LIFE_MS = 6 * 3600 * 1000;

export const emptyStats = (): VideoStats => ({
  impressions: 0,
  views: 0,
  completes: 0,
  skips: 0,
  likes: 0,
  shares: 0,
  comments: 0,
  follows: 0,
  notInterested: 0,
  watchMs: 0,
  trend: 0,
  trendAt: 0,
});

export type Priors = { complete: number; skip: number; like: number; share: number; strength: number };
export const defaultPriors: Priors = { complete: 0.3, skip: 0.35, like: 0.05, share: 0.01, strength: 20 };

const smooth = (hits: number, trials: number, prior: number, strength: number) => (hits + prior * strength) / (trials + strength);

export function smoothedRates(s: VideoStats, p: Priors = defaultPriors) {
  const n = Math.max(s.views, s.impressions);
  return {
    complete: smooth(s.completes, n, p.complete, p.strength),
    skip: smooth(s.skips, n, p.skip, p.strength),
    like: smooth(s.likes, n, p.like, p.strength),
    share: smooth(s.shares, n, p.share, p.strength),
  };
}

/** Add `amount` to the decayed trend counter at time `now`. */
export function bumpTrend(s: VideoStats, now: number, amount = 1) {
  s.trend = decayedTrend(s, now) + amount;
  s.trendAt = now;
}

export function decayedTrend(s: VideoStats, now: number) {
  if (!s.trendAt) return s.trend;
  return s.trend * Math.pow(0.5, Math.max(0, now - s.trendAt) / TREND_HALF_LIFE_MS);
}
