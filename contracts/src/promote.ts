// Advertising for creators (issue 7): Spark ad authorisation codes and Promote. Spread into the one route table by routes.ts.
import { z } from 'zod';
import { route } from './route-def.ts';
import { Ad, LandingUrl } from './ads.ts';

const Id = (what: string) => z.string().uuid(`not ${what} id`);

// ---- Spark ads ---------------------------------------------------------------------------------------------------------
export const SPARK_MAX_DAYS = 30;
export const SparkCodeBody = z.object({
  videoId: Id('a video'),
  /** How long advertisers may run ads with the video: 1–30 days. */
  days: z
    .number({ error: 'days must be a number' })
    .int('days must be a whole number')
    .min(1, 'days must be at least 1')
    .max(SPARK_MAX_DAYS, `days must be at most ${SPARK_MAX_DAYS}`),
});
export const SparkCode = z.object({
  id: z.string(),
  videoId: z.string(),
  /** The last characters of the code (the code itself is shown once, when created). */
  hint: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
  /** Ads created with this code. */
  ads: z.number().int(),
  createdAt: z.string(),
});
export const SparkCodeCreated = SparkCode.extend({ code: z.string() });
export const SparkAdBody = z.object({
  name: z.string().trim().min(1, 'a name is required').max(120),
  /** The authorisation code the creator gave you. */
  sparkCode: z.string().trim().min(1, 'a Spark code is required').max(100),
  cta: z.object({ text: z.string().trim().min(1).max(30), url: LandingUrl }),
});

// ---- Promote -----------------------------------------------------------------------------------------------------------
export const PROMOTE_GOALS = ['views', 'follows', 'profile_visits'] as const;
export const PromoteGoal = z.enum(PROMOTE_GOALS);
/** Budget bounds of one promotion, US cents (coins are converted at the catalogue's coin price, 1 coin = 1 cent). */
export const PROMOTE_MIN_CENTS = 500;
export const PROMOTE_MAX_CENTS = 100_000;
/** A card payment is an ads top-up, whose minimum is higher. */
export const PROMOTE_CARD_MIN_CENTS = 1_000;
export const PromoteBody = z
  .object({
    /** Client-chosen idempotency key: the same id twice is one promotion (and one payment). */
    id: Id('a promotion'),
    videoId: Id('a video'),
    goal: PromoteGoal,
    days: z.number({ error: 'days must be a number' }).int('days must be a whole number').min(1, 'days must be at least 1').max(7, 'days must be at most 7'),
    payment: z.discriminatedUnion('method', [
      z.object({
        method: z.literal('coins'),
        coins: z
          .number({ error: 'coins must be a number' })
          .int('coins must be a whole number')
          .min(PROMOTE_MIN_CENTS, `the budget must be at least ${PROMOTE_MIN_CENTS} coins`)
          .max(PROMOTE_MAX_CENTS, `the budget must be at most ${PROMOTE_MAX_CENTS} coins`),
      }),
      z.object({
        method: z.literal('card'),
        amountCents: z
          .number({ error: 'the amount must be a number of US cents' })
          .int('the amount must be whole cents')
          .min(PROMOTE_CARD_MIN_CENTS, `a card payment must be at least ${PROMOTE_CARD_MIN_CENTS} cents`)
          .max(PROMOTE_MAX_CENTS, `the budget must be at most ${PROMOTE_MAX_CENTS} cents`),
        paymentMethod: z.string().trim().min(1).max(255),
      }),
    ]),
  })
  .strict();
export type PromoteBody = z.infer<typeof PromoteBody>;
export const PromotionStatus = z.enum(['awaiting_payment', 'active', 'completed', 'stopped', 'payment_failed']);
export const Promotion = z.object({
  id: z.string(),
  videoId: z.string(),
  goal: PromoteGoal,
  days: z.number().int(),
  status: PromotionStatus,
  payment: z.object({
    method: z.enum(['coins', 'card']),
    coins: z.number().int().nullable(),
    amountCents: z.number().int(),
    /** Card payments: the top-up's state and, when the bank asks, where to confirm it. */
    topupStatus: z.string().nullable(),
    actionUrl: z.string().nullable(),
  }),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  results: z.object({
    impressions: z.number().int(),
    /** People reached (distinct viewers). */
    reach: z.number().int(),
    /** 2-second views of the promoted video from its sponsored placements. */
    views: z.number().int(),
    /** Taps on the call to action (the profile or the video). */
    clicks: z.number().int(),
    /** New followers among the people it was shown to, after they saw it. */
    follows: z.number().int(),
    /** Visits to the creator's profile attributed to a sponsored placement (the call to action or the name). */
    profileVisits: z.number().int(),
    spentCents: z.number().int(),
  }),
  /** The creator's ad account: ids to open the full report in the ads manager. */
  advertiserId: z.string(),
  adGroupId: z.string(),
  createdAt: z.string(),
});
export type Promotion = z.infer<typeof Promotion>;
export type SparkCode = z.infer<typeof SparkCode>;

const IdParams = (what: string) => z.object({ id: Id(what) });
const tags = ['ads', 'promote'];
export const promoteRoutes = {
  createSparkCode: route({
    method: 'POST',
    path: '/api/spark-codes',
    summary: 'Authorise advertisers to boost one of your public videos as a Spark ad (the code is shown once)',
    tags,
    auth: true,
    body: SparkCodeBody,
    response: SparkCodeCreated,
    status: 201,
  }),
  mySparkCodes: route({
    method: 'GET',
    path: '/api/spark-codes',
    summary: 'My Spark authorisation codes',
    tags,
    auth: true,
    response: z.object({ items: z.array(SparkCode) }),
  }),
  revokeSparkCode: route({
    method: 'DELETE',
    path: '/api/spark-codes/:id',
    summary: 'Revoke a Spark code: ads using it stop delivering',
    tags,
    auth: true,
    params: IdParams('a Spark code'),
    response: SparkCode,
  }),
  createSparkAd: route({
    method: 'POST',
    path: '/api/ads/ad-groups/:id/spark-ads',
    summary: "Create a Spark ad: boost a creator's organic video with their authorisation code; it is reviewed before delivery",
    tags,
    auth: true,
    params: IdParams('an ad group'),
    body: SparkAdBody,
    response: Ad,
    status: 201,
  }),
  promote: route({
    method: 'POST',
    path: '/api/promotions',
    summary: 'Promote your own public video for 1–7 days, paid with coins or by card',
    tags,
    auth: true,
    body: PromoteBody,
    response: Promotion,
    status: 201,
  }),
  myPromotions: route({
    method: 'GET',
    path: '/api/promotions',
    summary: 'My promotions with their status and results',
    tags,
    auth: true,
    query: z.object({ videoId: Id('a video').optional() }),
    response: z.object({ items: z.array(Promotion) }),
  }),
  stopPromotion: route({
    method: 'POST',
    path: '/api/promotions/:id/stop',
    summary: 'Stop a promotion early; what was not spent stays in your ad balance',
    tags,
    auth: true,
    params: IdParams('a promotion'),
    response: Promotion,
  }),
} as const;
