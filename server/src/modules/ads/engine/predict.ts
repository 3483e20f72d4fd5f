import type { Billing, OptimizeFor, Outcomes } from './types.ts';

/**
 * Action rates learned online with Beta priors: (successes + α·prior) / (impressions + α). A new ad
 * starts at the platform prior and moves to its own rate as evidence arrives; α is the number of
 * impressions the prior is worth.
 */
export const PRIORS = {
  ctr: { rate: 0.01, weight: 200 },
  view6s: { rate: 0.3, weight: 50 },
  conversion: { rate: 0.002, weight: 1000 },
  follow: { rate: 0.005, weight: 500 },
  profileVisit: { rate: 0.01, weight: 300 },
} as const;

const smooth = (hits: number, n: number, p: { rate: number; weight: number }) => (hits + p.rate * p.weight) / (n + p.weight);

export const predictCtr = (o: Outcomes) => smooth(o.clicks, o.impressions, PRIORS.ctr);
export const predictView6s = (o: Outcomes) => smooth(o.views6s, o.impressions, PRIORS.view6s);
export const predictConversion = (o: Outcomes) => smooth(o.conversions, o.impressions, PRIORS.conversion);
export const predictFollow = (o: Outcomes) => smooth(o.follows ?? 0, o.impressions, PRIORS.follow);
export const predictProfileVisit = (o: Outcomes) => smooth(o.profileVisits ?? 0, o.impressions, PRIORS.profileVisit);

/** The predicted rate of the action an OCPM group optimises toward. */
export function optimisedRate(o: Outcomes, optimizeFor: OptimizeFor | null | undefined): number {
  switch (optimizeFor ?? 'conversion') {
    case 'conversion':
      return predictConversion(o);
    case 'follow':
      return predictFollow(o);
    case 'profile_visit':
      return predictProfileVisit(o);
    case 'view6s':
      return predictView6s(o);
  }
}

/** Probability that one impression turns into the event the advertiser pays for (1 for impression billing). */
export function actionRate(billing: Billing, o: Outcomes, optimizeFor?: OptimizeFor | null): number {
  switch (billing) {
    case 'CPM':
      return 1;
    case 'CPC':
      return predictCtr(o);
    case 'CPV':
      return predictView6s(o);
    case 'OCPM':
      return optimisedRate(o, optimizeFor);
  }
}
