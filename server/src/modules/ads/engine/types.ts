/**
 * The ad server's in-memory model. Money is integer micro-dollars (1 USD = 1,000,000 µ$) inside the
 * engine; the ledger settles in cents. Everything here is pure: no I/O, time passed in.
 */

export const AGE_BANDS = ['13-17', '18-24', '25-34', '35-44', '45-54', '55+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export function ageBandOf(age: number): AgeBand {
  if (age < 18) return '13-17';
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 55) return '45-54';
  return '55+';
}

/** What the advertiser pays for: a thousand impressions, a click, a 6-second view, or impressions bid on conversions (oCPM). */
export type Billing = 'CPM' | 'CPC' | 'CPV' | 'OCPM';
/** max_delivery: spend the budget at the best price; cost_cap: keep the average cost per result under the bid; bid_cap: never bid above it. */
export type BidStrategy = 'max_delivery' | 'cost_cap' | 'bid_cap';
export type Pacing = 'smooth' | 'fast';

/** Empty or missing = everyone (for that dimension). Minors are never targeted by restricted categories. */
export type Targeting = {
  ageBands?: AgeBand[];
  genders?: string[];
  countries?: string[];
  languages?: string[];
  devices?: string[];
  /** Hashtags the recommender's interest model ranks high for the viewer. */
  interests?: string[];
  /** Hashtags the viewer engaged with in the last 7 days. */
  engagedHashtags?: string[];
  /** Custom audiences (people who engaged with the advertiser's videos) and lookalikes. */
  audiences?: string[];
};

export type Viewer = {
  id: string;
  ageBand: AgeBand;
  isMinor: boolean;
  gender?: string;
  country?: string;
  language?: string;
  device?: string;
  interests: ReadonlySet<string>;
  engagedHashtags: ReadonlySet<string>;
  audiences: ReadonlySet<string>;
};

export type AdCreative = { id: string; videoId: string };

export type AdGroupConfig = {
  id: string;
  campaignId: string;
  advertiserId: string;
  billing: Billing;
  strategy: BidStrategy;
  /** µ$ per billing event (per 1,000 impressions for CPM and OCPM's impression price is derived from it per conversion). */
  bidMicros: number;
  budgetMicros: number;
  budgetPeriod: 'daily' | 'lifetime';
  pacing: Pacing;
  startAt: number;
  endAt: number | null;
  targeting: Targeting;
  /** At most `max` impressions per person per `days` days. */
  frequencyCap: { max: number; days: number } | null;
  /** Alcohol, gambling, dating…: never shown to minors, whatever the targeting says. */
  restricted: boolean;
  /** What OCPM optimises toward (bid per such action, charged per impression): conversions by default; Promote's goals. */
  optimizeFor?: OptimizeFor | null;
  ads: AdCreative[];
};
export type OptimizeFor = 'conversion' | 'follow' | 'profile_visit' | 'view6s';

/** Outcome counts the engine predicts rates from (Beta priors; see predict.ts). */
export type Outcomes = {
  impressions: number;
  clicks: number;
  views6s: number;
  conversions: number;
  /** Follows of the ad video's creator and profile visits after the impression (Promote's goals). */
  follows?: number;
  profileVisits?: number;
};

export type Decision = {
  adId: string;
  adGroupId: string;
  campaignId: string;
  advertiserId: string;
  videoId: string;
  billing: Billing;
  /** What one billing event costs the winner (µ$): second price, at least the reserve, never above the bid. */
  priceMicros: number;
  /** Held against budget and balance now; settled when the billing event happens or released when it cannot any more. */
  holdMicros: number;
  /** The hold to settle with the click or view (CPC, CPV); null when the impression itself was charged (CPM, oCPM). */
  holdId: string | null;
  /** Expected value per impression of the winner, and the runner-up's ranking score (value + quality), in µ$. */
  winnerValueMicros: number;
  runnerUpValueMicros: number;
  /** How many ad groups were eligible, and how many the pacing throttle held back. */
  eligible: number;
  throttled: number;
};
