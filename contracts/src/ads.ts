// Advertising (issue 7): advertisers, campaigns → ad groups → ads. Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { z } from 'zod';
import { route } from './route-def.ts';

export const AD_AGE_BANDS = ['13-17', '18-24', '25-34', '35-44', '45-54', '55+'] as const;
export const AdObjective = z.enum(['reach', 'video_views', 'traffic', 'community_interaction', 'conversions']);
export const AdStatus = z.enum(['active', 'paused', 'archived']);
export const AdMemberRole = z.enum(['owner', 'admin', 'analyst']);

const Id = (what: string) => z.string().uuid(`not ${what} id`);
const Name = z.string().trim().min(1, 'a name is required').max(120);
/** USD cents, whole numbers. */
const Cents = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number of US cents` })
    .int(`${what} must be whole cents`)
    .min(min, `${what} must be at least ${min} cents`)
    .max(max, `${what} must be at most ${max} cents`);
const Tags = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^#?[\p{L}\p{N}_]{1,64}$/u, 'not a hashtag')
      .transform((t) => t.replace(/^#/, '')),
  )
  .max(50);
/** Where a click goes: http(s) only (no javascript:, data: or other schemes). */
export const LandingUrl = z
  .string()
  .trim()
  .max(2000)
  .url('not a URL')
  .refine((u) => /^https?:\/\//i.test(u), 'the landing URL must start with http:// or https://');

export const AdTargeting = z
  .object({
    ageBands: z.array(z.enum(AD_AGE_BANDS)).max(6).optional(),
    genders: z
      .array(z.enum(['female', 'male', 'other']))
      .max(3)
      .optional(),
    countries: z
      .array(z.string().regex(/^[A-Z]{2}$/, 'countries are ISO 3166 two-letter codes'))
      .max(250)
      .optional(),
    languages: z
      .array(z.string().regex(/^[a-z]{2}$/, 'languages are ISO 639-1 two-letter codes'))
      .max(50)
      .optional(),
    devices: z
      .array(z.enum(['ios', 'android', 'desktop']))
      .max(3)
      .optional(),
    interests: Tags.optional(),
    engagedHashtags: Tags.optional(),
    audiences: z.array(z.string().max(64)).max(20).optional(),
  })
  .strict();

/** Targeting as stored and returned (already normalised: no transforms, so responses serialise). */
const AdTargetingOut = z.object({
  ageBands: z.array(z.enum(AD_AGE_BANDS)).optional(),
  genders: z.array(z.string()).optional(),
  countries: z.array(z.string()).optional(),
  languages: z.array(z.string()).optional(),
  devices: z.array(z.string()).optional(),
  interests: z.array(z.string()).optional(),
  engagedHashtags: z.array(z.string()).optional(),
  audiences: z.array(z.string()).optional(),
});

export const AdGroupBody = z
  .object({
    name: Name,
    startAt: z.string().datetime({ offset: true, message: 'startAt must be an ISO date-time' }),
    endAt: z.string().datetime({ offset: true, message: 'endAt must be an ISO date-time' }).nullable().default(null),
    budget: z.object({ period: z.enum(['daily', 'lifetime']), amountCents: Cents('the budget', 500, 100_000_000) }),
    pacing: z.enum(['smooth', 'fast']).default('smooth'),
    bidStrategy: z.enum(['max_delivery', 'cost_cap', 'bid_cap']).default('max_delivery'),
    billing: z.enum(['CPM', 'CPC', 'CPV', 'OCPM']),
    /** Per billing event (per 1,000 impressions for CPM, per conversion for oCPM). */
    bidCents: Cents('the bid', 1, 100_000),
    targeting: AdTargeting.default({}),
    frequencyCap: z
      .object({ max: z.number().int().min(1).max(100), days: z.number().int().min(1).max(30) })
      .nullable()
      .default(null),
    /** Alcohol, gambling, dating and the like: never shown to minors. */
    restricted: z.boolean().default(false),
  })
  .superRefine((g, ctx) => {
    if (g.endAt && Date.parse(g.endAt) <= Date.parse(g.startAt)) ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'endAt must be after startAt' });
    if (g.budget.period === 'lifetime' && !g.endAt) ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'a lifetime budget needs an end date' });
    if (g.restricted && g.targeting.ageBands?.includes('13-17'))
      ctx.addIssue({ code: 'custom', path: ['targeting', 'ageBands'], message: 'a restricted category cannot target 13–17 year-olds' });
  });
export type AdGroupBody = z.infer<typeof AdGroupBody>;

export const Advertiser = z.object({ id: z.string(), name: z.string(), website: z.string().nullable(), role: AdMemberRole, createdAt: z.string() });
export const AdvertiserBody = z.object({ name: Name, website: LandingUrl.optional() });
export const Campaign = z.object({
  id: z.string(),
  advertiserId: z.string(),
  name: z.string(),
  objective: AdObjective,
  status: AdStatus,
  createdAt: z.string(),
});
export const CampaignBody = z.object({ name: Name, objective: AdObjective });
export const CampaignPatch = z.object({ name: Name.optional(), status: AdStatus.optional() });
export const AdGroup = z.object({
  id: z.string(),
  campaignId: z.string(),
  name: z.string(),
  status: AdStatus,
  startAt: z.string(),
  endAt: z.string().nullable(),
  budget: z.object({ period: z.enum(['daily', 'lifetime']), amountCents: z.number().int() }),
  pacing: z.enum(['smooth', 'fast']),
  bidStrategy: z.enum(['max_delivery', 'cost_cap', 'bid_cap']),
  billing: z.enum(['CPM', 'CPC', 'CPV', 'OCPM']),
  bidCents: z.number().int(),
  targeting: AdTargetingOut,
  frequencyCap: z.object({ max: z.number().int(), days: z.number().int() }).nullable(),
  restricted: z.boolean(),
  /** What an oCPM group optimises toward (Promote: follow, profile_visit or view6s); null = conversions. */
  optimizeFor: z.enum(['conversion', 'follow', 'profile_visit', 'view6s']).nullable().optional(),
  createdAt: z.string(),
});
export const AdGroupPatch = z.object({ status: AdStatus });
export const Ad = z.object({
  id: z.string(),
  adGroupId: z.string(),
  name: z.string(),
  videoId: z.string(),
  spark: z.boolean(),
  cta: z.object({ text: z.string(), url: z.string() }),
  status: AdStatus,
  review: z.object({ status: z.enum(['pending', 'approved', 'rejected']), reason: z.string().nullable() }),
  createdAt: z.string(),
});
export const AdBody = z.object({
  name: Name,
  /** The advertiser's own uploaded video. */
  videoId: Id('a video'),
  cta: z.object({ text: z.string().trim().min(1).max(30), url: LandingUrl }),
});
const List = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

const AdvertiserParams = z.object({ id: Id('an advertiser') });
const CampaignParams = z.object({ id: Id('a campaign') });
const AdGroupParams = z.object({ id: Id('an ad group') });

export const AdReviewItem = Ad.extend({ advertiser: z.string(), landingHost: z.string() });
export const AdReviewBody = z
  .object({ decision: z.enum(['approve', 'reject']), reason: z.string().trim().min(1).max(500).optional() })
  .refine((b) => b.decision === 'approve' || !!b.reason, { path: ['reason'], message: 'a rejection needs a reason the advertiser can act on' });
const AdParams = z.object({ id: Id('an ad') });

// ---- billing, tracking, conversions --------------------------------------------------------------------------------
export const AdTopup = z.object({
  id: z.string(),
  amountCents: z.number().int(),
  status: z.enum(['pending', 'requires_action', 'succeeded', 'failed', 'refunded', 'charged_back']),
  actionUrl: z.string().nullable(),
  failureReason: z.string().nullable(),
  createdAt: z.string(),
});
export const AdBalance = z.object({
  /** Spendable now: posted credits − posted debits − reserved for delivery in progress. */
  availableCents: z.number().int(),
  /** Reserved by the ad server (an open spend lease), settled within a minute. */
  reservedCents: z.number().int(),
  postedCents: z.number().int(),
  /** Delivery charged so far (posted leases). */
  spentCents: z.number().int(),
  topups: z.array(AdTopup),
});
export const AdTopupBody = z.object({
  /** Client-chosen idempotency key: repeating the request with the same id returns the same top-up. */
  id: Id('a top-up'),
  amountCents: Cents('a top-up', 1_000, 10_000_000),
  paymentMethod: z.string().trim().min(1).max(255),
});
/** Views and quartiles; `follow` (checked against the follows) and `profile_visit` of the ad video's creator after the impression. */
export const AdTrackType = z.enum(['viewable', 'view2s', 'view6s', 'q25', 'q50', 'q75', 'q100', 'follow', 'profile_visit']);
export const AdTrackBody = z.object({
  events: z
    .array(z.object({ impressionId: z.string().max(64), type: AdTrackType, watchMs: z.number().int().min(0).max(3_600_000).optional() }))
    .min(1)
    .max(100),
});
export const AdConversionEvent = z.object({
  /** The advertiser's id for this event: the same id twice counts once. */
  eventId: z.string().trim().min(1).max(128),
  event: z.string().trim().min(1).max(64),
  valueCents: z.number().int().min(0).max(100_000_000).default(0),
  /** The `flick_click` parameter the click redirect added to the landing URL. */
  clickId: z.string().max(64).optional(),
  occurredAt: z.string().datetime({ offset: true, message: 'occurredAt must be an ISO date-time' }).optional(),
});
export const AdConversionsBody = z.object({ events: z.array(AdConversionEvent).min(1).max(500) });
export const AdConversionsResult = z.object({
  results: z.array(z.object({ eventId: z.string(), duplicate: z.boolean(), attribution: z.string().nullable() })),
});

// ---- sponsored hashtag challenges ------------------------------------------------------------------------------------
/** The flat fee of a sponsored challenge, per started day (USD cents). */
export const SPONSORED_CHALLENGE_CENTS_PER_DAY = 50_000;
const NoControl = (max: number, field: string) =>
  z
    .string()
    .trim()
    .max(max, `${field} must be at most ${max} characters`)
    .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), `${field}: control characters are not allowed`);
export const SponsoredChallengeBody = z
  .object({
    /** Client-chosen purchase id: the same id twice buys once. */
    id: Id('a purchase'),
    slug: z
      .string()
      .min(3, 'slug must be at least 3 characters')
      .max(60)
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'slug may contain only lowercase letters, digits and single dashes'),
    hashtag: z
      .string()
      .trim()
      .toLowerCase()
      .transform((t) => t.replace(/^#/, ''))
      .pipe(z.string().regex(/^[\p{L}\p{N}_]{1,64}$/u, 'not a hashtag (letters, digits and "_", at most 64)')),
    title: NoControl(100, 'title').pipe(z.string().min(1, 'title is required')),
    description: NoControl(2000, 'description').default(''),
    rules: NoControl(2000, 'rules').default(''),
    startsAt: z.string().datetime({ offset: true, message: 'startsAt must be an ISO date-time' }),
    endsAt: z.string().datetime({ offset: true, message: 'endsAt must be an ISO date-time' }),
    /** A branded sound from the library that participants are invited to use. */
    soundId: Id('a sound').optional(),
  })
  .superRefine((c, ctx) => {
    const days = (Date.parse(c.endsAt) - Date.parse(c.startsAt)) / 86_400_000;
    if (!(days > 0)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endsAt must be after startsAt' });
    else if (days > 30) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'a sponsored challenge runs at most 30 days' });
  });
export const SponsoredChallenge = z.object({
  id: z.string(),
  challengeId: z.string(),
  slug: z.string(),
  hashtag: z.string(),
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  feeCents: z.number().int(),
  soundId: z.string().nullable(),
  createdAt: z.string(),
});
export const SponsoredChallengeReport = z.object({
  challenge: SponsoredChallenge,
  /** Public videos posted with the hashtag during the challenge. */
  videos: z.number().int(),
  creators: z.number().int(),
  views: z.number().int(),
  likes: z.number().int(),
  shares: z.number().int(),
  comments: z.number().int(),
  /** Videos that used the branded sound. */
  soundUses: z.number().int(),
  top: z.array(z.object({ videoId: z.string(), creator: z.string(), views: z.number().int(), likes: z.number().int() })),
});

// ---- members, lookalike audiences, invoices ---------------------------------------------------------------------------
export const AdMember = z.object({
  userId: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: AdMemberRole,
  addedAt: z.string(),
});
export const AdMemberBody = z.object({
  username: z
    .string()
    .trim()
    .transform((u) => u.replace(/^@/, '').toLowerCase())
    .pipe(z.string().min(1, 'a username is required').max(30)),
  role: AdMemberRole,
});
export const AdMemberPatch = z.object({ role: AdMemberRole });
const MemberParams = z.object({ id: Id('an advertiser'), userId: Id('a user') });

/** A custom audience the advertiser can target (`key` goes into targeting.audiences). */
export const AdAudience = z.object({
  key: z.string(),
  name: z.string(),
  kind: z.enum(['engaged', 'lookalike']),
  /** People in it now (for "engaged", counted on request). */
  size: z.number().int(),
  /** Lookalikes only: */
  id: z.string().nullable(),
  seed: z.string().nullable(),
  seedSize: z.number().int().nullable(),
  minSimilarity: z.number().nullable(),
  maxSize: z.number().int().nullable(),
  status: z.enum(['pending', 'ready', 'seed_too_small']).nullable(),
  computedAt: z.string().nullable(),
});
export const LookalikeBody = z.object({
  name: Name,
  /** The seed audience's key: `engaged:<this advertiser's id>` or another lookalike's `lookalike:<id>`. */
  seed: z.string().min(1, 'pick a seed audience').max(64),
  /** Cosine similarity of a person's interest vector to the seed's centroid needed to join (0–0.99). */
  minSimilarity: z.number({ error: 'minSimilarity must be a number' }).min(0, 'minSimilarity must be at least 0').max(0.99, 'minSimilarity must be below 1'),
  /** At most this many people, the most similar first. */
  maxSize: z.number().int('maxSize must be a whole number').min(10, 'maxSize must be at least 10').max(10_000_000),
});
const AudienceParams = z.object({ id: Id('an audience') });

export const AdInvoiceLine = z.object({
  kind: z.enum(['topup', 'promo_credit', 'refund', 'spend', 'fee', 'other']),
  description: z.string(),
  /** Signed USD cents as it moved the balance: credits positive, charges negative. */
  amountCents: z.number().int(),
  date: z.string().nullable(),
  campaignId: z.string().nullable(),
});
export const AdInvoice = z.object({
  number: z.string(),
  advertiser: z.object({ id: z.string(), name: z.string(), website: z.string().nullable() }),
  /** YYYY-MM (UTC). */
  month: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  issuedAt: z.string(),
  /** False while the month is still running (a statement to date; the number stays the same). */
  final: z.boolean(),
  currency: z.literal('USD'),
  openingBalanceCents: z.number().int(),
  creditsCents: z.number().int(),
  spendCents: z.number().int(),
  feesCents: z.number().int(),
  /** What the advertiser was charged this month: spend + fees. */
  totalDueCents: z.number().int(),
  closingBalanceCents: z.number().int(),
  lines: z.array(AdInvoiceLine),
});
export const AdInvoiceSummary = AdInvoice.pick({ number: true, month: true, final: true });
export const InvoiceMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM');
const InvoiceParams = z.object({ id: Id('an advertiser'), month: InvoiceMonth });

const tags = ['ads'];
export const adsRoutes = {
  adMembers: route({
    method: 'GET',
    path: '/api/ads/advertisers/:id/members',
    summary: "The advertiser's members and their roles (any member)",
    tags,
    auth: true,
    params: AdvertiserParams,
    response: List(AdMember),
  }),
  addAdMember: route({
    method: 'POST',
    path: '/api/ads/advertisers/:id/members',
    summary: 'Add a member by username with a role (owners; admins for admin and analyst roles)',
    tags,
    auth: true,
    params: AdvertiserParams,
    body: AdMemberBody,
    response: AdMember,
    status: 201,
  }),
  updateAdMember: route({
    method: 'PATCH',
    path: '/api/ads/advertisers/:id/members/:userId',
    summary: "Change a member's role (the last owner stays an owner)",
    tags,
    auth: true,
    params: MemberParams,
    body: AdMemberPatch,
    response: AdMember,
  }),
  removeAdMember: route({
    method: 'DELETE',
    path: '/api/ads/advertisers/:id/members/:userId',
    summary: 'Remove a member (or leave); the last owner cannot be removed',
    tags,
    auth: true,
    params: MemberParams,
    response: z.object({ removed: z.boolean() }),
  }),
  adAudiences: route({
    method: 'GET',
    path: '/api/ads/advertisers/:id/audiences',
    summary: 'Audiences the advertiser can target: its engaged-with custom audience and its lookalikes, with sizes',
    tags,
    auth: true,
    params: AdvertiserParams,
    response: List(AdAudience),
  }),
  createLookalike: route({
    method: 'POST',
    path: '/api/ads/advertisers/:id/audiences',
    summary: 'Build a lookalike audience from a seed audience by interest-vector similarity (computed at once, then hourly)',
    tags,
    auth: true,
    params: AdvertiserParams,
    body: LookalikeBody,
    response: AdAudience,
    status: 201,
  }),
  refreshLookalike: route({
    method: 'POST',
    path: '/api/ads/audiences/:id/refresh',
    summary: 'Recompute a lookalike audience now',
    tags,
    auth: true,
    params: AudienceParams,
    response: AdAudience,
  }),
  adInvoices: route({
    method: 'GET',
    path: '/api/ads/advertisers/:id/invoices',
    summary: "The advertiser's monthly invoices since the account was opened (at most 24), newest first",
    tags,
    auth: true,
    params: AdvertiserParams,
    response: List(AdInvoiceSummary),
  }),
  adInvoice: route({
    method: 'GET',
    path: '/api/ads/advertisers/:id/invoices/:month',
    summary: 'A monthly invoice: line items (top-ups, spend by campaign, fees) and totals from the ledger',
    tags,
    auth: true,
    params: InvoiceParams,
    response: AdInvoice,
  }),
  createAdvertiser: route({
    method: 'POST',
    path: '/api/ads/advertisers',
    summary: 'Create an advertiser account (you become its owner)',
    tags,
    auth: true,
    body: AdvertiserBody,
    response: Advertiser,
    status: 201,
  }),
  myAdvertisers: route({
    method: 'GET',
    path: '/api/ads/advertisers',
    summary: 'Advertiser accounts I am a member of',
    tags,
    auth: true,
    response: List(Advertiser),
  }),
  createCampaign: route({
    method: 'POST',
    path: '/api/ads/advertisers/:id/campaigns',
    summary: 'Create a campaign',
    tags,
    auth: true,
    params: AdvertiserParams,
    body: CampaignBody,
    response: Campaign,
    status: 201,
  }),
  campaigns: route({
    method: 'GET',
    path: '/api/ads/advertisers/:id/campaigns',
    summary: "An advertiser's campaigns",
    tags,
    auth: true,
    params: AdvertiserParams,
    response: List(Campaign),
  }),
  updateCampaign: route({
    method: 'PATCH',
    path: '/api/ads/campaigns/:id',
    summary: 'Rename, pause, resume or archive a campaign',
    tags,
    auth: true,
    params: CampaignParams,
    body: CampaignPatch,
    response: Campaign,
  }),
  duplicateCampaign: route({
    method: 'POST',
    path: '/api/ads/campaigns/:id/duplicate',
    summary: 'Copy a campaign with its ad groups and ads (paused)',
    tags,
    auth: true,
    params: CampaignParams,
    response: Campaign,
    status: 201,
  }),
  createAdGroup: route({
    method: 'POST',
    path: '/api/ads/campaigns/:id/ad-groups',
    summary: 'Create an ad group: schedule, budget, pacing, bidding, targeting, frequency cap',
    tags,
    auth: true,
    params: CampaignParams,
    body: AdGroupBody,
    response: AdGroup,
    status: 201,
  }),
  adGroups: route({
    method: 'GET',
    path: '/api/ads/campaigns/:id/ad-groups',
    summary: "A campaign's ad groups",
    tags,
    auth: true,
    params: CampaignParams,
    response: List(AdGroup),
  }),
  updateAdGroup: route({
    method: 'PATCH',
    path: '/api/ads/ad-groups/:id',
    summary: 'Pause, resume or archive an ad group',
    tags,
    auth: true,
    params: AdGroupParams,
    body: AdGroupPatch,
    response: AdGroup,
  }),
  createAd: route({
    method: 'POST',
    path: '/api/ads/ad-groups/:id/ads',
    summary: 'Create an ad from your own ready video; it is reviewed before delivery',
    tags,
    auth: true,
    params: AdGroupParams,
    body: AdBody,
    response: Ad,
    status: 201,
  }),
  ads: route({ method: 'GET', path: '/api/ads/ad-groups/:id/ads', summary: "An ad group's ads", tags, auth: true, params: AdGroupParams, response: List(Ad) }),
  adReviewQueue: route({
    method: 'GET',
    path: '/api/staff/ads/review',
    summary: 'Ads waiting for creative review, oldest first (moderators, admins)',
    tags: ['staff', 'ads'],
    auth: true,
    response: List(AdReviewItem),
  }),
  reviewAd: route({
    method: 'POST',
    path: '/api/staff/ads/:id/review',
    summary: 'Approve or reject an ad (moderators, admins)',
    tags: ['staff', 'ads'],
    auth: true,
    params: AdParams,
    body: AdReviewBody,
    response: Ad,
  }),
  adBalance: route({
    method: 'GET',
    path: '/api/ads/advertisers/:id/balance',
    summary: "The advertiser's prepaid balance, what is reserved and spent, and its top-ups",
    tags,
    auth: true,
    params: AdvertiserParams,
    response: AdBalance,
  }),
  adTopUp: route({
    method: 'POST',
    path: '/api/ads/advertisers/:id/topups',
    summary: 'Add funds by card (credited when the payment provider confirms)',
    tags,
    auth: true,
    params: AdvertiserParams,
    body: AdTopupBody,
    response: AdTopup,
    status: 201,
  }),
  adTrack: route({
    method: 'POST',
    path: '/api/ads/track',
    summary: 'Report viewable impressions, 2 s / 6 s views and quartiles of sponsored items',
    tags,
    auth: false,
    body: AdTrackBody,
    response: z.object({ accepted: z.number().int(), rejected: z.number().int() }),
    status: 202,
  }),
  adConversionsKey: route({
    method: 'POST',
    path: '/api/ads/advertisers/:id/conversions-key',
    summary: 'Create (or replace) the key of the server-side conversions API; shown once',
    tags,
    auth: true,
    params: AdvertiserParams,
    response: z.object({ key: z.string() }),
    status: 201,
  }),
  adConversions: route({
    method: 'POST',
    path: '/api/ads/conversions',
    summary: 'Server-side conversions API (Authorization: Bearer <conversions key>), deduplicated by event id',
    tags,
    auth: false,
    body: AdConversionsBody,
    response: AdConversionsResult,
  }),
  buySponsoredChallenge: route({
    method: 'POST',
    path: '/api/ads/advertisers/:id/challenges',
    summary: 'Buy a sponsored hashtag challenge (flat fee per day from the advertiser balance; featured with a Sponsored label)',
    tags,
    auth: true,
    params: AdvertiserParams,
    body: SponsoredChallengeBody,
    response: SponsoredChallenge,
    status: 201,
  }),
  sponsoredChallenges: route({
    method: 'GET',
    path: '/api/ads/advertisers/:id/challenges',
    summary: "An advertiser's sponsored challenges",
    tags,
    auth: true,
    params: AdvertiserParams,
    response: List(SponsoredChallenge),
  }),
  sponsoredChallengeReport: route({
    method: 'GET',
    path: '/api/ads/challenges/:id/report',
    summary: 'Participating videos, creators and views of a sponsored challenge',
    tags,
    auth: true,
    params: z.object({ id: Id('a sponsored challenge') }),
    response: SponsoredChallengeReport,
  }),
} as const;
