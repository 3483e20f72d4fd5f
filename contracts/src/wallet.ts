// Coins, gifts, earnings and cash-out (issue 6). Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { z } from 'zod';
import { route } from './route-def.ts';
import { Ok, UserSummary } from './schemas.ts';

const Uuid = (what: string) => z.string().uuid(`${what} must be a UUID`);
/** A whole, positive amount that fits comfortably in a JavaScript number and a PostgreSQL bigint. */
const Amount = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .positive(`${what} must be positive`)
    .max(max, `${what} must be at most ${max}`);

export const CoinPackage = z.object({
  id: z.string(),
  coins: z.number().int(),
  priceCents: z.number().int(),
  currency: z.literal('usd'),
  label: z.string(),
});
export type CoinPackage = z.infer<typeof CoinPackage>;
export const CoinPackages = z.object({ packages: z.array(CoinPackage) });

export const PurchaseStatus = z.enum(['pending', 'requires_action', 'succeeded', 'failed', 'refunded', 'charged_back']);
export type PurchaseStatus = z.infer<typeof PurchaseStatus>;
export const Purchase = z.object({
  id: z.string(),
  packageId: z.string(),
  coins: z.number().int(),
  priceCents: z.number().int(),
  provider: z.string(),
  status: PurchaseStatus,
  /** Where the buyer completes a 3-D Secure step, when `status` is `requires_action`. */
  actionUrl: z.string().nullable(),
  failureReason: z.string().nullable(),
  /** On a refund or chargeback: coins taken back from the wallet, and coins already spent that became a recovery balance. */
  clawedBackCoins: z.number().int(),
  recoveryCoins: z.number().int(),
  createdAt: z.string(),
});
export type Purchase = z.infer<typeof Purchase>;
export const PurchaseBody = z
  .object({
    /** Client-chosen id: a retried request never charges twice. */
    id: Uuid('id'),
    packageId: z.string().min(1).max(64),
    /** Sandbox: a test card number (4242… succeeds, 4000…0002 declines, 4000…3184 asks for 3-D Secure); Stripe: a PaymentMethod id. */
    paymentMethod: z.string().min(1).max(255),
  })
  .strict();
export const PurchaseList = z.object({ items: z.array(Purchase) });

export const Wallet = z.object({
  coins: z.number().int(),
  /** Coins spent from a purchase that was later refunded or charged back; gifting is blocked until it is repaid. */
  recoveryOwed: z.number().int(),
  dailyLimitCents: z.number().int().nullable(),
  spentTodayCents: z.number().int(),
  canBuy: z.boolean(),
  canGift: z.boolean(),
  /** Why buying or gifting is not possible, for people. */
  restrictions: z.array(z.string()),
});
export type Wallet = z.infer<typeof Wallet>;
export const SpendingLimitBody = z
  .object({
    dailyLimitCents: z.union([Amount('dailyLimitCents', 10_000_000), z.null()], { error: 'dailyLimitCents must be a positive whole number of cents or null' }),
  })
  .strict();

export const WalletEntry = z.object({
  id: z.string(),
  kind: z.string(),
  /** Signed change to the wallet, in coins. */
  coins: z.number().int(),
  note: z.string(),
  at: z.string(),
});
export const WalletHistory = z.object({ items: z.array(WalletEntry), nextCursor: z.string().nullable() });
export const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(30), cursor: z.string().max(200).optional() });

export const Gift = z.object({ id: z.string(), name: z.string(), coins: z.number().int(), artwork: z.string(), animation: z.string() });
export type Gift = z.infer<typeof Gift>;
export const GiftCatalogue = z.object({ gifts: z.array(Gift), creatorSharePercent: z.number(), diamondUsdCents: z.number() });

export const SendGiftBody = z
  .object({
    /** Client-chosen id: a double tap or a retry sends one gift. */
    id: Uuid('id'),
    giftId: z.string().min(1).max(64),
    commentId: Uuid('commentId').optional(),
  })
  .strict();
export const GiftSent = z.object({ id: z.string(), giftId: z.string(), coins: z.number().int(), diamonds: z.number().int(), walletCoins: z.number().int() });

export const GifterRank = z.object({ user: UserSummary, coins: z.number().int(), gifts: z.number().int() });
export const VideoGifts = z.object({
  videoId: z.string(),
  gifts: z.number().int(),
  coins: z.number().int(),
  top: z.array(GifterRank),
  recent: z.array(z.object({ id: z.string(), giftId: z.string(), sender: UserSummary, at: z.string() })),
});
export const CreatorGifts = z.object({ creator: UserSummary, gifts: z.number().int(), coins: z.number().int(), top: z.array(GifterRank) });

/** `approving`: approved and being paid (the provider called, or about to be); it ends `paid`, or `rejected` if the provider never paid. */
export const PayoutStatus = z.enum(['pending', 'approving', 'paid', 'rejected', 'expired']);
export const Payout = z.object({
  id: z.string(),
  user: UserSummary,
  diamonds: z.number().int(),
  amountCents: z.number().int(),
  status: PayoutStatus,
  reason: z.string().nullable(),
  providerRef: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  /** When an admin approved it (the payout provider is called after this is recorded). */
  approvedAt: z.string().nullable().optional(),
  /** The payout provider's last error while `approving` (staff see it; the recovery job retries). */
  lastError: z.string().nullable().optional(),
});
export type Payout = z.infer<typeof Payout>;
export const PayoutList = z.object({ items: z.array(Payout) });
export const PayoutBody = z.object({ id: Uuid('id'), diamonds: Amount('diamonds', 1_000_000_000) }).strict();
export const RejectPayoutBody = z.object({ reason: z.string().trim().min(1, 'give a reason').max(500) }).strict();
export const PayoutQuery = z.object({ status: PayoutStatus.optional() });

export const Earnings = z.object({
  diamonds: z.number().int(),
  pendingPayoutDiamonds: z.number().int(),
  paidOutDiamonds: z.number().int(),
  usdCents: z.number().int(),
  diamondUsdCents: z.number(),
  minPayoutDiamonds: z.number().int(),
  maxDailyPayoutDiamonds: z.number().int(),
  requestableTodayDiamonds: z.number().int(),
  canCashOut: z.boolean(),
  byDay: z.array(z.object({ day: z.string(), diamonds: z.number().int(), gifts: z.number().int() })),
  byVideo: z.array(z.object({ videoId: z.string(), caption: z.string().nullable(), diamonds: z.number().int(), gifts: z.number().int() })),
  byGifter: z.array(z.object({ user: UserSummary, diamonds: z.number().int(), gifts: z.number().int() })),
});
export const EarningsQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });
export const Statement = z.object({
  csv: z.string(),
  rows: z.number().int(),
});
export const StatementQuery = z.object({
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'from must be YYYY-MM-DD')
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'to must be YYYY-MM-DD')
    .optional(),
});

export const WalletFlag = z.object({ kind: z.string(), detail: z.string(), at: z.string() });
export const SupportWallet = z.object({
  user: UserSummary,
  isMinor: z.boolean(),
  wallet: Wallet,
  diamonds: z.number().int(),
  purchases: z.array(Purchase),
  payouts: z.array(Payout),
  flags: z.array(WalletFlag),
});

export const ThreeDsBody = z.object({ approve: z.boolean() }).strict();
export const WebhookAccepted = z.object({ received: z.literal(true), duplicate: z.boolean(), outcome: z.string() });

const PurchaseParams = z.object({ id: Uuid('purchase id') });
const PayoutParams = z.object({ id: Uuid('payout id') });
const VideoParams = z.object({ id: Uuid('video id') });
const UsernameParams = z.object({ username: z.string().min(1).max(64) });

export const walletRoutes = {
  coinPackages: route({
    method: 'GET',
    path: '/api/wallet/packages',
    summary: 'Coin packages and their prices',
    tags: ['wallet'],
    auth: false,
    response: CoinPackages,
  }),
  wallet: route({
    method: 'GET',
    path: '/api/wallet',
    summary: 'My coin balance, recovery balance and limits',
    tags: ['wallet'],
    auth: true,
    response: Wallet,
  }),
  walletHistory: route({
    method: 'GET',
    path: '/api/wallet/history',
    summary: 'Changes to my coin balance, newest first',
    tags: ['wallet'],
    auth: true,
    query: HistoryQuery,
    response: WalletHistory,
  }),
  setSpendingLimit: route({
    method: 'PUT',
    path: '/api/wallet/limit',
    summary: 'Set (or clear with null) my own daily spending limit on coin purchases, in US cents',
    tags: ['wallet'],
    auth: true,
    body: SpendingLimitBody,
    response: Wallet,
  }),
  buyCoins: route({
    method: 'POST',
    path: '/api/wallet/purchases',
    summary: 'Buy a coin package; coins arrive when the payment provider confirms',
    tags: ['wallet'],
    auth: true,
    body: PurchaseBody,
    response: Purchase,
    status: 201,
  }),
  myPurchases: route({ method: 'GET', path: '/api/wallet/purchases', summary: 'My coin purchases', tags: ['wallet'], auth: true, response: PurchaseList }),
  purchase: route({
    method: 'GET',
    path: '/api/wallet/purchases/:id',
    summary: 'One of my coin purchases',
    tags: ['wallet'],
    auth: true,
    params: PurchaseParams,
    response: Purchase,
  }),
  sandbox3ds: route({
    method: 'POST',
    path: '/api/payments/sandbox/purchases/:id/3ds',
    summary: 'Sandbox provider: the buyer completes (or fails) the 3-D Secure challenge of their purchase',
    tags: ['payments'],
    auth: true,
    params: PurchaseParams,
    body: ThreeDsBody,
    response: Purchase,
  }),
  paymentWebhook: route({
    method: 'POST',
    path: '/api/payments/webhooks/:provider',
    summary: "A payment provider's signed webhook (raw JSON body; `flick-signature` for the sandbox, `stripe-signature` for Stripe)",
    tags: ['payments'],
    auth: false,
    params: z.object({ provider: z.enum(['sandbox', 'stripe']) }),
    body: z.string(),
    response: WebhookAccepted,
  }),
  giftCatalogue: route({ method: 'GET', path: '/api/gifts', summary: 'The gift catalogue', tags: ['gifts'], auth: false, response: GiftCatalogue }),
  sendGift: route({
    method: 'POST',
    path: '/api/videos/:id/gifts',
    summary: 'Send a gift on a video (or one of its comments)',
    tags: ['gifts'],
    auth: true,
    params: VideoParams,
    body: SendGiftBody,
    response: GiftSent,
    status: 201,
  }),
  videoGifts: route({
    method: 'GET',
    path: '/api/videos/:id/gifts',
    summary: "A video's gift counter, top gifters and recent gifts",
    tags: ['gifts'],
    auth: false,
    params: VideoParams,
    response: VideoGifts,
  }),
  creatorGifts: route({
    method: 'GET',
    path: '/api/users/:username/gifts',
    summary: "A creator's gift leaderboard",
    tags: ['gifts'],
    auth: false,
    params: UsernameParams,
    response: CreatorGifts,
  }),
  earnings: route({
    method: 'GET',
    path: '/api/me/earnings',
    summary: 'My diamonds, their USD value, and earnings by day, video and gifter',
    tags: ['earnings'],
    auth: true,
    query: EarningsQuery,
    response: Earnings,
  }),
  earningsStatement: route({
    method: 'GET',
    path: '/api/me/earnings/statement',
    summary: 'My earnings statement (gifts received and payouts) as CSV',
    tags: ['earnings'],
    auth: true,
    query: StatementQuery,
    response: Statement,
  }),
  requestPayout: route({
    method: 'POST',
    path: '/api/me/payouts',
    summary: 'Request a cash-out of diamonds (reserved until staff decide)',
    tags: ['earnings'],
    auth: true,
    body: PayoutBody,
    response: Payout,
    status: 201,
  }),
  myPayouts: route({ method: 'GET', path: '/api/me/payouts', summary: 'My cash-out requests', tags: ['earnings'], auth: true, response: PayoutList }),
  staffPayouts: route({
    method: 'GET',
    path: '/api/staff/payouts',
    summary: 'Cash-out requests (support, admin)',
    tags: ['staff'],
    auth: true,
    query: PayoutQuery,
    response: PayoutList,
  }),
  approvePayout: route({
    method: 'POST',
    path: '/api/staff/payouts/:id/approve',
    summary: 'Approve a cash-out: the payout provider pays and the reserved diamonds are posted (admin)',
    tags: ['staff'],
    auth: true,
    params: PayoutParams,
    response: Payout,
  }),
  rejectPayout: route({
    method: 'POST',
    path: '/api/staff/payouts/:id/reject',
    summary: 'Reject a cash-out: the reserved diamonds return to the creator (admin)',
    tags: ['staff'],
    auth: true,
    params: PayoutParams,
    body: RejectPayoutBody,
    response: Payout,
  }),
  supportWallet: route({
    method: 'GET',
    path: '/api/staff/wallets/:username',
    summary: "A user's purchases, recovery balance, payouts and fraud flags (support, admin)",
    tags: ['staff'],
    auth: true,
    params: UsernameParams,
    response: SupportWallet,
  }),
  refundPurchase: route({
    method: 'POST',
    path: '/api/staff/purchases/:id/refund',
    summary: 'Refund a coin purchase through the provider; the refund webhook claws coins back (support, admin)',
    tags: ['staff'],
    auth: true,
    params: PurchaseParams,
    response: Purchase,
  }),
  sandboxChargeback: route({
    method: 'POST',
    path: '/api/payments/sandbox/purchases/:id/chargeback',
    summary: 'Sandbox provider: the card issuer disputes a purchase (admin; sandbox only)',
    tags: ['payments'],
    auth: true,
    params: PurchaseParams,
    response: Ok,
  }),
} as const;
