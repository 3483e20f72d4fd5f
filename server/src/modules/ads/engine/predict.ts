import type { Billing, Outcomes } from './types.ts';

/**
 * Action rates learned online with Beta priors: (successes + α·prior) / (impressions + α). A new ad
 * starts at the platform prior and moves to its own rate as evidence arrives; α is the number of
 * impressions the prior is worth.
 */
export const PRIORS = {
  ctr: { rate: 0.01, weight: 200 },
  view6s: { rate: 0.3, weight: 50 },
  conversion: { rate: 0.002, weight: 1000 },
} as const;

const smooth = (hits: number, n: number, p: { rate: number; weight: number }) => (hits + p.rate * p.weight) / (n + p.weight);

export const predictCtr = (o: Outcomes) => smooth(o.clicks, o.impressions, PRIORS.ctr);
export const predictView6s = (o: Outcomes) => smooth(o.views6s, o.impressions, PRIORS.view6s);
export const predictConversion = (o: Outcomes) => smooth(o.conversions, o.impressions, PRIORS.conversion);

/** Probability that one impression turns into the event the advertiser pays for (1 for impression billing). */
export function actionRate(billing: Billing, o: Outcomes): number {
  switch (billing) {
    case 'CPM':
      return 1;
    case 'CPC':
      return predictCtr(o);
    case 'CPV':
      return predictView6s(o);
    case 'OCPM':
      return predictConversion(o);
  }
}
