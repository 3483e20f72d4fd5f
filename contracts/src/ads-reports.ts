// Advertising reports (issue 7): per campaign / ad group / ad over time, computed from served impressions and conversions.
import { z } from 'zod';
import { route } from './route-def.ts';

export const AdReportLevel = z.enum(['campaign', 'ad-group', 'ad']);
export type AdReportLevel = z.infer<typeof AdReportLevel>;

export const AdReportQuery = z
  .object({
    /** Inclusive start (ISO date-time); default: 7 days before `to`. */
    from: z.string().datetime({ offset: true, message: 'from must be an ISO date-time' }).optional(),
    /** Exclusive end (ISO date-time); default: now. */
    to: z.string().datetime({ offset: true, message: 'to must be an ISO date-time' }).optional(),
    /** Buckets are UTC hours or UTC days. */
    bucket: z.enum(['hour', 'day']).default('day'),
  })
  .strict();
export type AdReportQuery = z.infer<typeof AdReportQuery>;

/** One set of figures. Money is integer micro-dollars (µ$, 1,000,000 = 1 USD); rates are fractions (0.012 = 1.2 %). Null: nothing to divide by. */
export const AdMetrics = z.object({
  impressions: z.number().int(),
  /** Distinct people (signed-in users or anonymous feed sessions). */
  reach: z.number().int(),
  /** Impressions per person reached. */
  frequency: z.number().nullable(),
  viewable: z.number().int(),
  views2s: z.number().int(),
  views6s: z.number().int(),
  q25: z.number().int(),
  q50: z.number().int(),
  q75: z.number().int(),
  q100: z.number().int(),
  clicks: z.number().int(),
  ctr: z.number().nullable(),
  spendMicros: z.number().int(),
  /** Cost per 1,000 impressions. */
  cpmMicros: z.number().nullable(),
  cpcMicros: z.number().nullable(),
  /** Cost per 6-second view. */
  cpvMicros: z.number().nullable(),
  conversions: z.number().int(),
  conversionValueCents: z.number().int(),
  cpaMicros: z.number().nullable(),
  /** Average watch time per impression. */
  avgWatchMs: z.number().nullable(),
});
export type AdMetrics = z.infer<typeof AdMetrics>;

/** The auction as the ad server saw it for one ad group (since it was loaded). */
export const AdAuctionInsight = z.object({
  billing: z.enum(['CPM', 'CPC', 'CPV', 'OCPM']),
  bidMicros: z.number().int(),
  /** Average price it paid when it won: per 1,000 impressions for CPM and oCPM (both charged per impression), per click (CPC), per 6-second view (CPV). */
  avgClearingMicros: z.number().nullable(),
  /** Estimate of the lowest bid that would have won the auctions it lost, in the bid's own unit. */
  minBidToWinMicros: z.number().nullable(),
  winRate: z.number(),
  /** Pacing: the share of auctions it enters. */
  throttle: z.number(),
});

export const AdReportRow = AdMetrics.extend({
  level: AdReportLevel,
  id: z.string(),
  name: z.string(),
  status: z.string(),
  /** Ad groups only: the auction insight, null when the ad server has not loaded the group. */
  insight: AdAuctionInsight.nullable(),
});

export const AdInvalidRule = z.object({ rule: z.string(), impressions: z.number().int(), clicks: z.number().int(), views6s: z.number().int() });

export const AdReport = z.object({
  level: AdReportLevel,
  id: z.string(),
  name: z.string(),
  advertiserId: z.string(),
  from: z.string(),
  to: z.string(),
  bucket: z.enum(['hour', 'day']),
  totals: AdMetrics,
  /** Every bucket of the range, oldest first (empty buckets are zeros). Events count in the bucket of the impression they belong to; conversions when they happened. */
  series: z.array(AdMetrics.extend({ start: z.string() })),
  /** The level below: a campaign's ad groups, an ad group's ads (an ad: empty). */
  breakdown: z.array(AdReportRow),
  /** Invalid traffic found by the rules: not in the figures above and never billed. */
  invalid: z.object({ impressions: z.number().int(), clicks: z.number().int(), rules: z.array(AdInvalidRule), note: z.string() }),
  /** Ad groups: the auction insight (null when the ad server has not loaded the group). */
  insight: AdAuctionInsight.nullable(),
});
export type AdReport = z.infer<typeof AdReport>;

const ReportParams = z.object({ level: AdReportLevel, id: z.string().uuid('not a campaign, ad group or ad id') });

export const adsReportRoutes = {
  adReport: route({
    method: 'GET',
    path: '/api/ads/reports/:level/:id',
    summary: 'Report of a campaign, ad group or ad over time (members of the advertiser); CSV at /api/ads/reports/:level/:id/export.csv',
    tags: ['ads'],
    auth: true,
    params: ReportParams,
    query: AdReportQuery,
    response: AdReport,
  }),
} as const;
