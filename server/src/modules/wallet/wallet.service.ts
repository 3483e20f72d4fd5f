import crypto from 'node:crypto';
import type { Selectable, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Payout, Purchase, UserSummary, Wallet } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../http/errors.ts';
import type { IdentityService, SessionUser } from '../identity/identity.service.ts';
import type { UserRow } from '../identity/identity.repo.ts';
import { ADULT_AGE, ageOn } from '../identity/age.ts';
import type { VideosRepo } from '../videos/videos.repo.ts';
import type { AccountFlags, Asset, LedgerService, TransferRequest, TransferResult } from '../ledger/ledger.service.ts';
import { transferErrorMessages } from '../ledger/ledger.service.ts';
import { PaymentProviderError, WebhookSignatureError, type PaymentProvider, type PayoutProvider, type ProviderEvent } from '../payments/payment-provider.ts';
import { createPaymentIntents, PAYMENT_RECOVERY_GRACE_SEC } from '../payments/payment-intent.ts';
import { COIN_PACKAGES, CREATOR_SHARE_PERCENT, DIAMOND_USD_CENTS, GIFTS, LIMITS, creatorDiamonds } from './catalogue.ts';

/** A ledger transfer id derived from one of ours: the same business event always yields the same transfer ids. */
export function derivedId(base: string, label: string): string {
  const h = crypto.createHash('sha256').update(`${base}:${label}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80; // RFC 9562 version 8 (custom)
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A batch the ledger refused; thrown inside a transaction so our own rows roll back with it. */
class LedgerRefusedError extends Error {
  override name = 'LedgerRefusedError';
  readonly results: TransferResult[];
  constructor(results: TransferResult[]) {
    const f = results.find((r) => r.status === 'failed' && r.error !== 'linked_event_failed') ?? results.find((r) => r.status === 'failed');
    super(`ledger refused the batch: ${f?.error ?? 'unknown'}`);
    this.results = results;
  }
  has(error: string) {
    return this.results.some((r) => r.error === error);
  }
}

const COIN_WALLET: AccountFlags = { debitsMustNotExceedCredits: true };
const RECOVERY: AccountFlags = { creditsMustNotExceedDebits: true };
const DIAMONDS: AccountFlags = { debitsMustNotExceedCredits: true };

/** How long a payout driver may be calling the provider (the Stripe SDK gives up after 20 s × 3 tries); a rejection waits it out. */
const PAYOUT_LEASE_SEC = PAYMENT_RECOVERY_GRACE_SEC;
const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

type PurchaseRow = Selectable<DB['wallet_purchases']>;

export type GiftNotice = {
  giftId: string;
  catalogueId: string;
  senderId: string;
  creatorId: string;
  videoId: string;
  commentId: string | null;
  coins: number;
  diamonds: number;
};

export type WalletDeps = {
  db: Database;
  clock: Clock;
  log: Logger;
  ledger: LedgerService;
  identity: IdentityService;
  videosRepo: VideosRepo;
  payments: PaymentProvider;
  payouts: PayoutProvider;
  /** Called after a payment or provider action queued webhooks to deliver (the sandbox's outbox). */
  onProviderActivity?: () => void;
  /** A verified webhook for a payment that is not a coin purchase (e.g. an advertiser top-up): its owner applies it, or null. */
  otherPayment?: (provider: string, event: ProviderEvent) => Promise<{ duplicate: boolean; outcome: string } | null>;
  /** Notification hook: the creator received a gift (wired to the notifications module when it exists). */
  onGiftReceived?: (g: GiftNotice) => Promise<void>;
  /** Whether an account is banned; a banned creator receives no gifts and cannot cash out. Default: staff suspension (identity). */
  isBanned?: (userId: string) => Promise<boolean>;
  /** Whether the creator is hidden from the viewer (a block either way, a private account not followed). */
  hiddenFrom?: (viewerId: string, creatorId: string) => Promise<boolean>;
  /** Whether a comment exists on a video (wired to the engagement module); without it, gifts on comments are refused. */
  commentOnVideo?: (commentId: string, videoId: string) => Promise<boolean>;
};

export function createWalletService(deps: WalletDeps) {
  const { db, clock, log, ledger, identity, videosRepo, payments, payouts } = deps;
  const isBanned = deps.isBanned ?? ((userId: string) => identity.isSuspended(userId));
  const intents = createPaymentIntents({
    db,
    clock,
    log,
    payments,
    table: 'wallet_purchases',
    logKey: 'purchaseId',
    refusedMessage: 'payment provider refused to create a payment',
    request: (r) => ({
      userId: r.user_id,
      amountCents: r.price_cents,
      currency: 'usd',
      description: `Flick ${COIN_PACKAGES.find((p) => p.id === r.package_id)?.label ?? r.package_id}`,
    }),
    onProviderActivity: deps.onProviderActivity,
  });

  // ---- chart of accounts -------------------------------------------------------------------------------------------
  const accountIds = new Map<string, string>();
  async function account(asset: Asset, kind: string, ownerId: string | null, flags?: AccountFlags): Promise<string> {
    const key = `${asset}:${kind}:${ownerId ?? ''}`;
    const hit = accountIds.get(key);
    if (hit) return hit;
    const a = await ledger.ensureAccount({ asset, kind, ownerId, flags });
    accountIds.set(key, a.id);
    return a.id;
  }
  const acct = {
    wallet: (u: string) => account('COIN', 'wallet', u, COIN_WALLET),
    recovery: (u: string) => account('COIN', 'recovery', u, RECOVERY),
    diamonds: (u: string) => account('DIAMOND', 'diamonds', u, DIAMONDS),
    coinIssuance: () => account('COIN', 'coin_issuance', null),
    giftCreatorShare: () => account('COIN', 'gift_creator_share', null),
    platformRevenue: () => account('COIN', 'platform_revenue', null),
    diamondIssuance: () => account('DIAMOND', 'diamond_issuance', null),
    diamondPayouts: () => account('DIAMOND', 'diamond_payouts', null),
    paymentClearing: () => account('USD', 'payment_clearing', null),
    coinSales: () => account('USD', 'coin_sales', null),
    creatorPayouts: () => account('USD', 'creator_payouts', null),
    payoutClearing: () => account('USD', 'payout_clearing', null),
  };

  async function balances(userId: string) {
    const [w, r, d] = await Promise.all([
      ledger.findAccount('COIN', 'wallet', userId),
      ledger.findAccount('COIN', 'recovery', userId),
      ledger.findAccount('DIAMOND', 'diamonds', userId),
    ]);
    return {
      coins: w ? w.creditsPosted - w.debitsPosted - w.debitsPending : 0,
      recoveryOwed: r ? r.debitsPosted - r.creditsPosted - r.creditsPending : 0,
      diamonds: d ? d.creditsPosted - d.debitsPosted - d.debitsPending : 0,
      diamondsReserved: d ? d.debitsPending : 0,
    };
  }

  /** Apply a batch inside the caller's transaction: any refused transfer throws, so the caller's rows roll back with it. */
  async function apply(trx: Transaction<DB>, batch: TransferRequest[]) {
    if (!batch.length) return [];
    const res = await ledger.createTransfers(batch, { trx });
    if (res.some((r) => r.status === 'failed')) throw new LedgerRefusedError(res);
    return res;
  }

  async function flag(userId: string, kind: string, detail: string, trx: Transaction<DB> | Database = db) {
    await trx.insertInto('wallet_flags').values({ user_id: userId, kind, detail }).execute();
    log.warn({ userId, kind, detail }, 'wallet flag');
  }

  const isMinorRow = (u: UserRow) => ageOn(u.birthdate.toISOString().slice(0, 10), clock.now()) < ADULT_AGE;

  async function userSummaries(ids: string[]): Promise<Map<string, UserSummary>> {
    const out = new Map<string, UserSummary>();
    for (const id of new Set(ids)) {
      const u = await identity.byId(id);
      out.set(id, u ? identity.summary(u) : { id, username: 'deleted', displayName: 'Deleted user', avatarUrl: null });
    }
    return out;
  }

  // ---- purchases ---------------------------------------------------------------------------------------------------
  const toPurchase = (r: PurchaseRow): Purchase => ({
    id: r.id,
    packageId: r.package_id,
    coins: r.coins,
    priceCents: r.price_cents,
    provider: r.provider,
    status: r.status,
    actionUrl: r.action_url,
    failureReason: r.failure_reason,
    clawedBackCoins: r.clawed_back_coins,
    recoveryCoins: r.recovery_coins,
    createdAt: r.created_at.toISOString(),
  });
  const purchaseRow = (id: string) => db.selectFrom('wallet_purchases').selectAll().where('id', '=', id).executeTakeFirst() as Promise<PurchaseRow | undefined>;

  async function ownPurchase(user: SessionUser, id: string) {
    const row = await purchaseRow(id);
    // Someone else's purchase is indistinguishable from none.
    if (!row || row.user_id !== user.id) throw notFound('purchase');
    return row;
  }

  async function spentTodayCents(userId: string) {
    const r = await db
      .selectFrom('wallet_purchases')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('price_cents'), eb.lit(0)).as('cents'))
      .where('user_id', '=', userId)
      .where('status', '!=', 'failed')
      .where('created_at', '>=', startOfUtcDay(clock.now()))
      .executeTakeFirstOrThrow();
    return Number(r.cents);
  }

  async function dailyLimit(userId: string) {
    const r = await db.selectFrom('wallet_settings').select('daily_limit_cents').where('user_id', '=', userId).executeTakeFirst();
    return r?.daily_limit_cents ?? null;
  }

  async function walletView(user: { id: string; isMinor: boolean }): Promise<Wallet> {
    const b = await balances(user.id);
    const restrictions: string[] = [];
    if (user.isMinor) restrictions.push('under 18: buying coins, sending gifts and cashing out are not available');
    if (b.recoveryOwed > 0) restrictions.push(`${b.recoveryOwed} coins from a refunded or charged-back purchase must be repaid before you can send gifts`);
    return {
      coins: b.coins,
      recoveryOwed: b.recoveryOwed,
      dailyLimitCents: await dailyLimit(user.id),
      spentTodayCents: await spentTodayCents(user.id),
      canBuy: !user.isMinor,
      canGift: !user.isMinor && b.recoveryOwed === 0,
      restrictions,
    };
  }

  async function buyCoins(user: SessionUser, body: { id: string; packageId: string; paymentMethod: string }): Promise<Purchase> {
    if (user.isMinor) throw forbidden('you must be 18 or older to buy coins', 'minor_cannot_buy');
    const pkg = COIN_PACKAGES.find((p) => p.id === body.packageId);
    if (!pkg) throw badRequest('unknown_package', `there is no coin package "${body.packageId}"; see GET /api/wallet/packages`);
    const existing = await purchaseRow(body.id);
    if (existing) {
      if (existing.user_id !== user.id || existing.package_id !== pkg.id) throw conflict('purchase_id_in_use', 'this purchase id is in use; choose a new one');
      // A retry of a request that stopped between our row and the provider (a crash): ask the provider again, which is
      // idempotent on the purchase id, so the purchase is never left pending with no payment behind it.
      if (intents.needsStart(existing)) return startPayment(body);
      return toPurchase(existing);
    }
    const now = clock.now();
    const recent = await db
      .selectFrom('wallet_purchases')
      .select((eb) => [
        eb.fn
          .countAll<number>()
          .filterWhere('created_at', '>=', new Date(now.getTime() - 10 * 60_000))
          .as('tenMin'),
        eb.fn.countAll<number>().filterWhere('created_at', '>=', startOfUtcDay(now)).as('today'),
      ])
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    if (Number(recent.tenMin) >= LIMITS.purchasesPer10Min || Number(recent.today) >= LIMITS.purchasesPerDay) {
      await flag(user.id, 'velocity_purchases', `${recent.tenMin} purchases in 10 minutes, ${recent.today} today`);
      throw new AppError(429, 'purchase_velocity', 'too many purchases in a short time; try again later');
    }
    const spent = await spentTodayCents(user.id);
    if (spent + pkg.priceCents > LIMITS.purchaseCentsPerDay) {
      await flag(user.id, 'velocity_purchase_amount', `${dollars(spent)} today, tried ${dollars(pkg.priceCents)} more`);
      throw new AppError(429, 'purchase_daily_cap', `purchases are capped at ${dollars(LIMITS.purchaseCentsPerDay)} a day`);
    }
    const limit = await dailyLimit(user.id);
    if (limit !== null && spent + pkg.priceCents > limit)
      throw forbidden(`this purchase would exceed your daily spending limit of ${dollars(limit)} (spent today: ${dollars(spent)})`, 'spending_limit_reached');

    // The row exists before the provider is called, so a webhook that overtakes the response still finds it.
    const inserted = await db
      .insertInto('wallet_purchases')
      .values({
        id: body.id,
        user_id: user.id,
        package_id: pkg.id,
        coins: pkg.coins,
        price_cents: pkg.priceCents,
        provider: payments.name,
        status: 'pending',
        payment_method: body.paymentMethod,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) throw conflict('purchase_id_in_use', 'this purchase id is in use; choose a new one');
    return startPayment(body);
  }

  /** Asks the provider for the payment of a purchase row that exists, and records its synchronous answer (payments/payment-intent.ts). */
  async function startPayment(body: { id: string; paymentMethod: string }): Promise<Purchase> {
    await intents.start(body.id, body.paymentMethod);
    return toPurchase((await purchaseRow(body.id))!);
  }

  // ---- webhooks ----------------------------------------------------------------------------------------------------
  type Outcome =
    'credited' | 'failed' | 'requires_action' | 'refunded' | 'charged_back' | 'reversed_before_credit' | 'ignored_stale' | 'unknown_purchase' | 'ignored_event';

  async function handleWebhook(provider: string, rawBody: string, headers: Record<string, string | string[] | undefined>) {
    if (provider !== payments.name) throw notFound(`payment provider "${provider}" (this installation uses ${payments.name})`);
    let ev: ProviderEvent | null;
    try {
      ev = await payments.verifyWebhook(rawBody, headers);
    } catch (err) {
      if (err instanceof WebhookSignatureError) throw badRequest('invalid_signature', `webhook refused: ${err.message}`);
      throw err;
    }
    if (!ev) return { received: true as const, duplicate: false, outcome: 'ignored_event' };
    const event = ev;
    const purchase = event.purchaseId
      ? await purchaseRow(event.purchaseId)
      : await db
          .selectFrom('wallet_purchases')
          .selectAll()
          .where('provider', '=', payments.name)
          .where('provider_ref', '=', event.providerRef)
          .executeTakeFirst();
    if (!purchase || purchase.provider !== payments.name || (purchase.provider_ref && purchase.provider_ref !== event.providerRef)) {
      // Not a coin purchase: another module's payment (an advertiser's top-up) may own it.
      const other = await deps.otherPayment?.(provider, event);
      if (other) return { received: true as const, ...other };
      const r = await db
        .insertInto('payment_events')
        .values({ provider, event_id: event.id, type: event.type, purchase_id: null, outcome: 'unknown_purchase' })
        .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
        .returning('event_id')
        .executeTakeFirst();
      log.warn({ event }, 'payment webhook for an unknown purchase');
      return { received: true as const, duplicate: !r, outcome: 'unknown_purchase' };
    }
    const userId = purchase.user_id;
    // Accounts first: creating one outside the transaction keeps PGlite's single connection free.
    const a = {
      wallet: await acct.wallet(userId),
      recovery: await acct.recovery(userId),
      issuance: await acct.coinIssuance(),
      clearing: await acct.paymentClearing(),
      sales: await acct.coinSales(),
    };
    for (let attempt = 0; ; attempt++) {
      const b = await balances(userId);
      try {
        const r = await intents.withEvent(provider, event, purchase.id, async (trx) => {
          const p = await trx.selectFrom('wallet_purchases').selectAll().where('id', '=', purchase.id).forUpdate().executeTakeFirstOrThrow();
          return applyEvent(trx, p, event, a, b, attempt);
        });
        return { received: true as const, ...r };
      } catch (err) {
        // Balances moved between our read and the batch (a gift in between): read again and retry with new transfer ids.
        if (err instanceof LedgerRefusedError && (err.has('exceeds_credits') || err.has('exceeds_debits')) && attempt < 5) continue;
        throw err;
      }
    }
  }

  async function applyEvent(
    trx: Transaction<DB>,
    p: PurchaseRow,
    ev: ProviderEvent,
    a: { wallet: string; recovery: string; issuance: string; clearing: string; sales: string },
    b: { coins: number; recoveryOwed: number },
    attempt: number,
  ): Promise<Outcome> {
    const now = clock.now();
    const meta = { purchaseId: p.id, providerEvent: ev.id };
    if (!p.provider_ref) await trx.updateTable('wallet_purchases').set({ provider_ref: ev.providerRef }).where('id', '=', p.id).execute();
    switch (ev.type) {
      case 'requires_action':
        if (p.status !== 'pending') return 'ignored_stale';
        await trx
          .updateTable('wallet_purchases')
          .set({ status: 'requires_action', action_url: ev.actionUrl, updated_at: now })
          .where('id', '=', p.id)
          .execute();
        return 'requires_action';
      case 'failed':
        // A late failure never undoes a success (a retried payment can fail once and then succeed).
        if (p.status !== 'pending' && p.status !== 'requires_action') return 'ignored_stale';
        await trx
          .updateTable('wallet_purchases')
          .set({ status: 'failed', failure_reason: ev.reason ?? 'payment_failed', updated_at: now })
          .where('id', '=', p.id)
          .execute();
        return 'failed';
      case 'succeeded': {
        if (p.status === 'succeeded' || p.status === 'refunded' || p.status === 'charged_back') return 'ignored_stale';
        // The purchase id is the coin transfer's id: whatever happens to this row, coins are credited at most once.
        const batch: TransferRequest[] = [
          {
            id: derivedId(p.id, 'usd'),
            debitAccountId: a.clearing,
            creditAccountId: a.sales,
            amount: p.price_cents,
            code: 'coin_purchase',
            linked: true,
            meta,
          },
          { id: p.id, debitAccountId: a.issuance, creditAccountId: a.wallet, amount: p.coins, code: 'coin_purchase', meta },
        ];
        // Coins owed from an earlier clawback are repaid from this purchase first.
        const repay = Math.min(b.recoveryOwed, p.coins);
        if (repay > 0) {
          batch[1]!.linked = true;
          batch.push({ id: derivedId(p.id, `repay:${attempt}`), debitAccountId: a.wallet, creditAccountId: a.recovery, amount: repay, code: 'recovery', meta });
        }
        await apply(trx, batch);
        await trx
          .updateTable('wallet_purchases')
          .set({ status: 'succeeded', failure_reason: null, action_url: null, credited_at: now, updated_at: now })
          .where('id', '=', p.id)
          .execute();
        return 'credited';
      }
      case 'refunded':
      case 'disputed': {
        const to = ev.type === 'refunded' ? 'refunded' : 'charged_back';
        const code = ev.type === 'refunded' ? 'refund' : 'chargeback';
        if (p.status === 'refunded' || p.status === 'charged_back') return 'ignored_stale';
        if (p.status !== 'succeeded') {
          // Reversed before we saw the success: nothing was credited, and the late success will be ignored.
          await trx.updateTable('wallet_purchases').set({ status: to, reversed_at: now, updated_at: now }).where('id', '=', p.id).execute();
          if (ev.type === 'disputed') await flag(p.user_id, 'chargeback', `purchase ${p.id} (${dollars(p.price_cents)}) disputed before it was credited`, trx);
          return 'reversed_before_credit';
        }
        const clawback = Math.min(b.coins, p.coins);
        const recovery = p.coins - clawback;
        const batch: TransferRequest[] = [
          { id: derivedId(p.id, `usd_${code}`), debitAccountId: a.sales, creditAccountId: a.clearing, amount: p.price_cents, code, meta },
        ];
        if (clawback > 0)
          batch.push({ id: derivedId(p.id, `clawback:${attempt}`), debitAccountId: a.wallet, creditAccountId: a.issuance, amount: clawback, code, meta });
        if (recovery > 0)
          batch.push({
            id: derivedId(p.id, `recovery:${attempt}`),
            debitAccountId: a.recovery,
            creditAccountId: a.issuance,
            amount: recovery,
            code: 'recovery_debt',
            meta,
          });
        for (let i = 0; i < batch.length - 1; i++) batch[i]!.linked = true;
        await apply(trx, batch);
        await trx
          .updateTable('wallet_purchases')
          .set({ status: to, clawed_back_coins: clawback, recovery_coins: recovery, reversed_at: now, updated_at: now })
          .where('id', '=', p.id)
          .execute();
        if (ev.type === 'disputed') await flag(p.user_id, 'chargeback', `purchase ${p.id} (${dollars(p.price_cents)}) charged back`, trx);
        if (recovery > 0)
          await flag(p.user_id, 'recovery_balance', `${recovery} coins of purchase ${p.id} were already spent; gifting is blocked until repaid`, trx);
        return to;
      }
    }
  }

  // ---- gifts -------------------------------------------------------------------------------------------------------
  async function sendGift(user: SessionUser, videoId: string, body: { id: string; giftId: string; commentId?: string }) {
    const gift = GIFTS.find((g) => g.id === body.giftId);
    if (!gift) throw badRequest('unknown_gift', `there is no gift "${body.giftId}"; see GET /api/gifts`);
    if (user.isMinor) throw forbidden('you must be 18 or older to send gifts', 'minor_cannot_gift');
    const prior = await db.selectFrom('wallet_gifts').selectAll().where('id', '=', body.id).executeTakeFirst();
    if (prior) {
      if (prior.sender_id !== user.id || prior.video_id !== videoId || prior.gift_id !== gift.id)
        throw conflict('gift_id_in_use', 'this gift id is in use; choose a new one');
      return { id: prior.id, giftId: prior.gift_id, coins: prior.coins, diamonds: prior.diamonds, walletCoins: (await balances(user.id)).coins };
    }
    const video = await videosRepo.raw(videoId);
    if (!video) throw notFound('video');
    const creatorId = video.user_id;
    if (creatorId === user.id) throw badRequest('gift_to_self', 'you cannot send a gift to yourself');
    if (video.status !== 'ready') throw conflict('video_unavailable', 'gifts can only be sent on published videos');
    if (video.visibility === 'private') throw forbidden('this video is private', 'video_private');
    if (video.visibility === 'followers' && !(await videosRepo.isFollowing(user.id, creatorId))) throw notFound('video');
    if (await deps.hiddenFrom?.(user.id, creatorId)) throw notFound('video');
    const creator = await identity.byId(creatorId);
    if (!creator) throw notFound('video');
    if (isMinorRow(creator)) throw forbidden('this creator cannot receive gifts', 'creator_cannot_receive');
    if (await isBanned(creatorId)) throw forbidden('this creator cannot receive gifts', 'creator_unavailable');
    if (body.commentId && !(await deps.commentOnVideo?.(body.commentId, videoId))) throw notFound('comment');
    const b = await balances(user.id);
    if (b.recoveryOwed > 0)
      throw forbidden(`repay the ${b.recoveryOwed} coins owed from a refunded purchase before sending gifts (buy coins to repay)`, 'recovery_balance_owed');
    const now = clock.now();
    const recent = await db
      .selectFrom('wallet_gifts')
      .select((eb) => [
        eb.fn
          .countAll<number>()
          .filterWhere('created_at', '>=', new Date(now.getTime() - 60_000))
          .as('minute'),
        eb.fn.coalesce(eb.fn.sum<number>('coins'), eb.lit(0)).as('hourCoins'),
      ])
      .where('sender_id', '=', user.id)
      .where('created_at', '>=', new Date(now.getTime() - 3600_000))
      .executeTakeFirstOrThrow();
    if (Number(recent.minute) >= LIMITS.giftsPerMinute || Number(recent.hourCoins) + gift.coins > LIMITS.giftCoinsPerHour) {
      await flag(user.id, 'velocity_gifts', `${recent.minute} gifts in a minute, ${recent.hourCoins} coins in an hour`);
      throw new AppError(429, 'gift_velocity', 'too many gifts in a short time; try again later');
    }
    if (b.coins < gift.coins) throw new AppError(402, 'insufficient_coins', `this gift costs ${gift.coins} coins and you have ${b.coins}`);

    const diamonds = creatorDiamonds(gift.coins);
    const a = {
      wallet: await acct.wallet(user.id),
      share: await acct.giftCreatorShare(),
      revenue: await acct.platformRevenue(),
      issuance: await acct.diamondIssuance(),
      diamonds: await acct.diamonds(creatorId),
    };
    const meta = { giftId: body.id, videoId, gift: gift.id, creatorId };
    try {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('wallet_gifts')
          .values({
            id: body.id,
            sender_id: user.id,
            creator_id: creatorId,
            video_id: videoId,
            comment_id: body.commentId ?? null,
            gift_id: gift.id,
            coins: gift.coins,
            diamonds,
            created_at: now,
          })
          .execute();
        // One linked set: the sender's coins split into the creator's share and the platform's, and the creator's diamonds are issued.
        await apply(trx, [
          { id: derivedId(body.id, 'creator_share'), debitAccountId: a.wallet, creditAccountId: a.share, amount: diamonds, code: 'gift', linked: true, meta },
          {
            id: derivedId(body.id, 'platform_share'),
            debitAccountId: a.wallet,
            creditAccountId: a.revenue,
            amount: gift.coins - diamonds,
            code: 'gift',
            linked: true,
            meta,
          },
          { id: body.id, debitAccountId: a.issuance, creditAccountId: a.diamonds, amount: diamonds, code: 'gift_earning', meta },
        ]);
      });
    } catch (err) {
      if (err instanceof LedgerRefusedError && err.has('exceeds_credits')) {
        const now2 = (await balances(user.id)).coins;
        throw new AppError(402, 'insufficient_coins', `this gift costs ${gift.coins} coins and you have ${now2}`);
      }
      if (err instanceof Error && /duplicate key|unique/i.test(err.message)) throw conflict('gift_id_in_use', 'this gift id is in use; choose a new one');
      throw err;
    }
    const notice: GiftNotice = {
      giftId: body.id,
      catalogueId: gift.id,
      senderId: user.id,
      creatorId,
      videoId,
      commentId: body.commentId ?? null,
      coins: gift.coins,
      diamonds,
    };
    if (deps.onGiftReceived) void deps.onGiftReceived(notice).catch((err: unknown) => log.warn({ err, giftId: body.id }, 'gift notification failed'));
    return { id: body.id, giftId: gift.id, coins: gift.coins, diamonds, walletCoins: (await balances(user.id)).coins };
  }

  async function leaderboard(where: { video_id?: string; creator_id?: string }, limit = 10) {
    let q = db
      .selectFrom('wallet_gifts')
      .select((eb) => ['sender_id', eb.fn.sum<number>('coins').as('coins'), eb.fn.countAll<number>().as('gifts')])
      .groupBy('sender_id')
      .orderBy('coins', 'desc')
      .orderBy('sender_id')
      .limit(limit);
    if (where.video_id) q = q.where('video_id', '=', where.video_id);
    if (where.creator_id) q = q.where('creator_id', '=', where.creator_id);
    const rows = await q.execute();
    const users = await userSummaries(rows.map((r) => r.sender_id));
    return rows.map((r) => ({ user: users.get(r.sender_id)!, coins: Number(r.coins), gifts: Number(r.gifts) }));
  }

  async function totals(where: { video_id?: string; creator_id?: string }) {
    let q = db
      .selectFrom('wallet_gifts')
      .select((eb) => [eb.fn.countAll<number>().as('gifts'), eb.fn.coalesce(eb.fn.sum<number>('coins'), eb.lit(0)).as('coins')]);
    if (where.video_id) q = q.where('video_id', '=', where.video_id);
    if (where.creator_id) q = q.where('creator_id', '=', where.creator_id);
    const r = await q.executeTakeFirstOrThrow();
    return { gifts: Number(r.gifts), coins: Number(r.coins) };
  }

  // ---- payouts -----------------------------------------------------------------------------------------------------
  type PayoutRow = {
    id: string;
    user_id: string;
    diamonds: number;
    amount_cents: number;
    status: Payout['status'];
    reason: string | null;
    provider_ref: string | null;
    created_at: Date;
    expires_at: Date;
    decided_at: Date | null;
    approving_at: Date | null;
    last_error: string | null;
  };
  async function toPayouts(rows: PayoutRow[]): Promise<Payout[]> {
    const users = await userSummaries(rows.map((r) => r.user_id));
    const now = clock.now();
    return rows.map((r) => ({
      id: r.id,
      user: users.get(r.user_id)!,
      diamonds: r.diamonds,
      amountCents: r.amount_cents,
      // An undecided request past its timeout was voided by the ledger.
      status: r.status === 'pending' && r.expires_at <= now ? 'expired' : r.status,
      reason: r.reason,
      providerRef: r.provider_ref,
      createdAt: r.created_at.toISOString(),
      decidedAt: r.decided_at?.toISOString() ?? null,
      approvedAt: r.approving_at?.toISOString() ?? null,
      lastError: r.last_error,
    }));
  }
  const payoutRows = () =>
    db
      .selectFrom('wallet_payouts')
      .select([
        'id',
        'user_id',
        'diamonds',
        'amount_cents',
        'status',
        'reason',
        'provider_ref',
        'created_at',
        'expires_at',
        'decided_at',
        'approving_at',
        'last_error',
      ]);

  async function requestedTodayDiamonds(userId: string) {
    const r = await db
      .selectFrom('wallet_payouts')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('diamonds'), eb.lit(0)).as('d'))
      .where('user_id', '=', userId)
      .where('status', 'in', ['pending', 'approving', 'paid'])
      .where('created_at', '>=', startOfUtcDay(clock.now()))
      .executeTakeFirstOrThrow();
    return Number(r.d);
  }

  function requireRole(user: SessionUser, roles: SessionUser['roles']) {
    if (!user.roles.some((r) => roles.includes(r))) throw forbidden(`only ${roles.join(' or ')} staff may do this`);
  }

  async function requestPayout(user: SessionUser, body: { id: string; diamonds: number }): Promise<Payout> {
    if (user.isMinor) throw forbidden('you must be 18 or older to cash out', 'minor_cannot_cash_out');
    if (await isBanned(user.id)) throw forbidden('this account is suspended: cash-out is unavailable until the suspension is lifted', 'account_suspended');
    const prior = await payoutRows().where('id', '=', body.id).executeTakeFirst();
    if (prior) {
      if (prior.user_id === user.id && prior.diamonds === body.diamonds) return (await toPayouts([prior]))[0]!;
      throw conflict('payout_id_in_use', 'this payout id is in use; choose a new one');
    }
    if (body.diamonds < LIMITS.minPayoutDiamonds)
      throw badRequest(
        'below_minimum',
        `a cash-out is at least ${LIMITS.minPayoutDiamonds} diamonds (${dollars(LIMITS.minPayoutDiamonds * DIAMOND_USD_CENTS)})`,
      );
    const today = await requestedTodayDiamonds(user.id);
    if (today + body.diamonds > LIMITS.maxDailyPayoutDiamonds)
      throw badRequest(
        'daily_maximum',
        `at most ${LIMITS.maxDailyPayoutDiamonds} diamonds can be cashed out per day; ${Math.max(0, LIMITS.maxDailyPayoutDiamonds - today)} left today`,
      );
    const from = await acct.diamonds(user.id);
    const to = await acct.diamondPayouts();
    const now = clock.now();
    try {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('wallet_payouts')
          .values({
            id: body.id,
            user_id: user.id,
            diamonds: body.diamonds,
            amount_cents: body.diamonds * DIAMOND_USD_CENTS,
            status: 'pending',
            created_at: now,
            expires_at: new Date(now.getTime() + LIMITS.payoutPendingSec * 1000),
          })
          .execute();
        // Reserve: a pending transfer holds the diamonds until staff post or void it (or it times out).
        await apply(trx, [
          {
            id: body.id,
            debitAccountId: from,
            creditAccountId: to,
            amount: body.diamonds,
            code: 'payout',
            pendingTimeoutSec: LIMITS.payoutPendingSec,
            meta: { payoutId: body.id },
          },
        ]);
      });
    } catch (err) {
      if (err instanceof LedgerRefusedError && err.has('exceeds_credits')) {
        const b = await balances(user.id);
        throw new AppError(402, 'insufficient_diamonds', `you have ${b.diamonds} diamonds available; requested ${body.diamonds}`);
      }
      throw err;
    }
    return (await toPayouts([(await payoutRows().where('id', '=', body.id).executeTakeFirst())!]))[0]!;
  }

  /** A payout as the API shows it. */
  const payoutDto = async (id: string) => (await toPayouts([(await payoutRows().where('id', '=', id).executeTakeFirst())!]))[0]!;

  async function decidePayout(staff: SessionUser, id: string, decision: { approve: true } | { approve: false; reason: string }): Promise<Payout> {
    requireRole(staff, ['admin']);
    const row = await payoutRows().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('payout');
    if (row.user_id === staff.id) throw forbidden('staff cannot decide their own cash-out', 'own_payout');
    // Approved already, the provider call (or our record of it) cut off: approving again finishes it; rejecting asks the provider first.
    if (row.status === 'approving') return decision.approve ? drivePayout(id, { lease: 'take' }) : rejectApproving(staff, id, decision.reason);
    if (row.status !== 'pending') throw conflict('payout_not_pending', `this payout is ${row.status}`);
    const now = clock.now();
    const from = await acct.diamonds(row.user_id);
    const to = await acct.diamondPayouts();
    const expire = async () => {
      await db.updateTable('wallet_payouts').set({ status: 'expired', decided_at: now }).where('id', '=', id).where('status', '=', 'pending').execute();
      throw conflict('payout_expired', 'this payout request timed out and its diamonds were returned');
    };
    if (row.expires_at <= now) return expire();
    if (decision.approve) {
      const owner = await identity.byId(row.user_id);
      if (!owner || isMinorRow(owner)) throw forbidden('this account cannot be paid out', 'minor_cannot_cash_out');
      // A suspended creator's request can be rejected (the diamonds return) but not paid.
      if (await isBanned(owner.id))
        throw forbidden('this account is suspended; reject the request or wait until the suspension is lifted', 'account_suspended');
    }
    try {
      await db.transaction().execute(async (trx) => {
        const locked = await trx.selectFrom('wallet_payouts').select('status').where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
        if (locked.status !== 'pending') throw conflict('payout_not_pending', `this payout is ${locked.status}`);
        const meta = { payoutId: id };
        if (decision.approve) {
          // The approval intent, committed before the provider is called: who approved and when, and the diamonds posted
          // with it — so the ledger's expiry can never void a payout the provider may already have paid.
          await apply(trx, [{ id: derivedId(id, 'post'), debitAccountId: from, creditAccountId: to, amount: 0, postPendingId: id, code: 'payout', meta }]);
          await trx
            .updateTable('wallet_payouts')
            .set({ status: 'approving', approved_by: staff.id, approving_at: now, driving_until: new Date(now.getTime() + PAYOUT_LEASE_SEC * 1000) })
            .where('id', '=', id)
            .execute();
        } else {
          await apply(trx, [
            { id: derivedId(id, 'void'), debitAccountId: from, creditAccountId: to, amount: 0, voidPendingId: id, code: 'payout_rejected', meta },
          ]);
          await trx
            .updateTable('wallet_payouts')
            .set({ status: 'rejected', reason: decision.reason, decided_by: staff.id, decided_at: now })
            .where('id', '=', id)
            .execute();
        }
      });
    } catch (err) {
      if (err instanceof LedgerRefusedError && (err.has('pending_expired') || err.has('pending_already_voided'))) return expire();
      if (err instanceof LedgerRefusedError) {
        const f = err.results.find((r) => r.status === 'failed' && r.error !== 'linked_event_failed');
        throw conflict('ledger_refused', f?.error ? transferErrorMessages[f.error] : err.message);
      }
      throw err;
    }
    if (!decision.approve) return payoutDto(id);
    return drivePayout(id, { lease: 'held' });
  }

  /**
   * Pays an approved ('approving') payout and records it as paid. Any number of drivers may run (the approval, its retry,
   * the recovery job): the provider is idempotent on the payout id, and only the first to commit records it. Each
   * driver holds the lease (`driving_until`) while it may be calling the provider, so a rejection cannot race it.
   * `lease`: 'held' (the approval took it with the intent), 'take' (take or extend it), 'expired' (the recovery job:
   * only payouts nobody has driven for the grace period). With `reconcile`, the provider's own record is read first.
   */
  async function drivePayout(id: string, o: { lease: 'held' | 'take' | 'expired'; reconcile?: boolean }): Promise<Payout> {
    const now = clock.now();
    let q = db
      .updateTable('wallet_payouts')
      .set({ driving_until: new Date(now.getTime() + PAYOUT_LEASE_SEC * 1000) })
      .where('id', '=', id)
      .where('status', '=', 'approving');
    if (o.lease === 'expired') q = q.where((eb) => eb.or([eb('driving_until', 'is', null), eb('driving_until', '<=', now)]));
    const claimed = o.lease === 'held' || Number((await q.executeTakeFirst()).numUpdatedRows) > 0;
    const row = (await db.selectFrom('wallet_payouts').selectAll().where('id', '=', id).executeTakeFirst())!;
    if (!claimed || row.status !== 'approving') {
      if (row.status === 'paid') return payoutDto(id); // another driver finished it a moment ago: this approval is fulfilled
      if (row.status === 'approving') throw conflict('payout_in_flight', 'this payout is being paid right now; try again in a few minutes');
      throw conflict('payout_not_pending', `this payout is ${row.status}`);
    }
    let providerRef: string;
    try {
      const known = o.reconcile ? await payouts.get(id) : null;
      if (known && known.amountCents !== row.amount_cents)
        throw new Error(`the payout provider paid ${known.amountCents} cents for this payout, not ${row.amount_cents}; left for staff`);
      // The payout provider is idempotent on our payout id: a retried or re-driven approval pays once.
      providerRef = known
        ? known.providerRef
        : (await payouts.pay({ payoutId: id, userId: row.user_id, amountCents: row.amount_cents, currency: 'usd' })).providerRef;
    } catch (err) {
      const message = err instanceof Error ? err.message : 'the payout provider failed';
      await db
        .updateTable('wallet_payouts')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: message.slice(0, 500) }))
        .where('id', '=', id)
        .execute();
      log.error({ err, payoutId: id }, 'payout provider failed');
      throw new AppError(502, 'payout_provider_error', message);
    }
    const usdFrom = await acct.creatorPayouts();
    const usdTo = await acct.payoutClearing();
    await db.transaction().execute(async (trx) => {
      const locked = await trx.selectFrom('wallet_payouts').select(['status', 'approved_by']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
      if (locked.status === 'paid') return; // another driver recorded it
      if (locked.status !== 'approving') {
        // Only possible if a provider call outlived its lease and the payout was rejected meanwhile: staff must see it.
        await flag(
          row.user_id,
          'payout_paid_after_reject',
          `payout ${id} (${dollars(row.amount_cents)}) was paid by the provider (${providerRef}) after it was ${locked.status}`,
          trx,
        );
        log.error({ payoutId: id, providerRef, status: locked.status }, 'payout provider paid a payout that is no longer approving');
        return;
      }
      await apply(trx, [
        {
          id: derivedId(id, 'usd'),
          debitAccountId: usdFrom,
          creditAccountId: usdTo,
          amount: row.amount_cents,
          code: 'payout',
          meta: { payoutId: id, providerRef },
        },
      ]);
      await trx
        .updateTable('wallet_payouts')
        .set({ status: 'paid', provider_ref: providerRef, decided_by: locked.approved_by, decided_at: clock.now(), driving_until: null, last_error: null })
        .where('id', '=', id)
        .execute();
    });
    return payoutDto(id);
  }

  /** Rejecting an approved payout: only once nobody is calling the provider and the provider confirms it never paid. */
  async function rejectApproving(staff: SessionUser, id: string, reason: string): Promise<Payout> {
    const now = clock.now();
    const row = (await db.selectFrom('wallet_payouts').selectAll().where('id', '=', id).executeTakeFirst())!;
    if (row.driving_until && row.driving_until > now) throw conflict('payout_in_flight', 'this payout is being paid right now; try again in a few minutes');
    let known;
    try {
      known = await payouts.get(id);
    } catch (err) {
      throw new AppError(502, 'payout_provider_error', err instanceof Error ? err.message : 'the payout provider failed');
    }
    if (known) {
      // The provider paid: the payout is recorded as paid, whatever the rejection wanted.
      await drivePayout(id, { lease: 'take', reconcile: true });
      throw conflict('payout_already_paid', 'the payout provider has already paid this request; it is now recorded as paid');
    }
    const back = await acct.diamonds(row.user_id);
    const out = await acct.diamondPayouts();
    await db.transaction().execute(async (trx) => {
      const locked = await trx.selectFrom('wallet_payouts').select(['status', 'driving_until']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
      if (locked.status !== 'approving') throw conflict('payout_not_pending', `this payout is ${locked.status}`);
      if (locked.driving_until && locked.driving_until > now)
        throw conflict('payout_in_flight', 'this payout is being paid right now; try again in a few minutes');
      // The diamonds were posted with the approval: a correction is a transfer back.
      await apply(trx, [
        { id: derivedId(id, 'reverse'), debitAccountId: out, creditAccountId: back, amount: row.diamonds, code: 'payout_reversed', meta: { payoutId: id } },
      ]);
      await trx
        .updateTable('wallet_payouts')
        .set({ status: 'rejected', reason, decided_by: staff.id, decided_at: now, driving_until: null })
        .where('id', '=', id)
        .execute();
    });
    return payoutDto(id);
  }

  /** The recovery job's part for payouts: every approval nobody has driven for the grace period is reconciled with the provider and finished. */
  async function recoverPayouts(limit = 200): Promise<{ paid: number; failed: number }> {
    const now = clock.now();
    const due = await db
      .selectFrom('wallet_payouts')
      .select('id')
      .where('status', '=', 'approving')
      .where((eb) => eb.or([eb('driving_until', 'is', null), eb('driving_until', '<=', now)]))
      .orderBy('approving_at')
      .limit(limit)
      .execute();
    let paid = 0;
    let failed = 0;
    for (const { id } of due) {
      try {
        await drivePayout(id, { lease: 'expired', reconcile: true });
        paid++;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failed++;
      }
    }
    return { paid, failed };
  }

  // ---- earnings ----------------------------------------------------------------------------------------------------
  async function earnings(user: SessionUser, days: number) {
    const b = await balances(user.id);
    const since = new Date(startOfUtcDay(clock.now()).getTime() - (days - 1) * 86_400_000);
    const byDay = await db
      .selectFrom('wallet_gifts')
      .select((eb) => [
        eb
          .fn<string>('to_char', [eb.fn('date_trunc', [eb.val('day'), eb.fn('timezone', [eb.val('UTC'), eb.ref('created_at')])]), eb.val('YYYY-MM-DD')])
          .as('day'),
        eb.fn.sum<number>('diamonds').as('diamonds'),
        eb.fn.countAll<number>().as('gifts'),
      ])
      .where('creator_id', '=', user.id)
      .where('created_at', '>=', since)
      .groupBy('day')
      .orderBy('day', 'desc')
      .execute();
    const byVideo = await db
      .selectFrom('wallet_gifts')
      .select((eb) => ['video_id', eb.fn.sum<number>('diamonds').as('diamonds'), eb.fn.countAll<number>().as('gifts')])
      .where('creator_id', '=', user.id)
      .groupBy('video_id')
      .orderBy('diamonds', 'desc')
      .limit(50)
      .execute();
    const videos = new Map((await videosRepo.byIds(byVideo.map((v) => v.video_id))).map((v) => [v.id, v]));
    const byGifter = await db
      .selectFrom('wallet_gifts')
      .select((eb) => ['sender_id', eb.fn.sum<number>('diamonds').as('diamonds'), eb.fn.countAll<number>().as('gifts')])
      .where('creator_id', '=', user.id)
      .groupBy('sender_id')
      .orderBy('diamonds', 'desc')
      .limit(50)
      .execute();
    const users = await userSummaries(byGifter.map((g) => g.sender_id));
    const paid = await db
      .selectFrom('wallet_payouts')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('diamonds'), eb.lit(0)).as('d'))
      .where('user_id', '=', user.id)
      .where('status', '=', 'paid')
      .executeTakeFirstOrThrow();
    // Approved payouts being paid: their diamonds are posted already, but they are not paid out yet.
    const approving = await db
      .selectFrom('wallet_payouts')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('diamonds'), eb.lit(0)).as('d'))
      .where('user_id', '=', user.id)
      .where('status', '=', 'approving')
      .executeTakeFirstOrThrow();
    const today = await requestedTodayDiamonds(user.id);
    const canCashOut = !user.isMinor && !(await isBanned(user.id));
    return {
      diamonds: b.diamonds,
      pendingPayoutDiamonds: b.diamondsReserved + Number(approving.d),
      paidOutDiamonds: Number(paid.d),
      usdCents: b.diamonds * DIAMOND_USD_CENTS,
      diamondUsdCents: DIAMOND_USD_CENTS,
      minPayoutDiamonds: LIMITS.minPayoutDiamonds,
      maxDailyPayoutDiamonds: LIMITS.maxDailyPayoutDiamonds,
      requestableTodayDiamonds: canCashOut ? Math.max(0, Math.min(b.diamonds, LIMITS.maxDailyPayoutDiamonds - today)) : 0,
      canCashOut,
      byDay: byDay.map((d) => ({ day: d.day, diamonds: Number(d.diamonds), gifts: Number(d.gifts) })),
      byVideo: byVideo.map((v) => ({
        videoId: v.video_id,
        caption: videos.get(v.video_id)?.caption ?? null,
        diamonds: Number(v.diamonds),
        gifts: Number(v.gifts),
      })),
      byGifter: byGifter.map((g) => ({ user: users.get(g.sender_id)!, diamonds: Number(g.diamonds), gifts: Number(g.gifts) })),
    };
  }

  const csvCell = (v: string | number) => {
    const s = String(v);
    // Quote always; neutralise spreadsheet formulas (CSV injection).
    return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
  };

  async function statement(user: SessionUser, q: { from?: string; to?: string }) {
    const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(0);
    const to = q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) : new Date(8.64e15);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw badRequest('invalid_date', 'from and to must be real dates');
    if (from >= to) throw badRequest('invalid_range', 'from must not be after to');
    const gifts = await db
      .selectFrom('wallet_gifts')
      .selectAll()
      .where('creator_id', '=', user.id)
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .orderBy('created_at')
      .limit(50_000)
      .execute();
    const pays = await payoutRows().where('user_id', '=', user.id).where('created_at', '>=', from).where('created_at', '<', to).orderBy('created_at').execute();
    const users = await userSummaries(gifts.map((g) => g.sender_id));
    type Line = { at: Date; cells: (string | number)[] };
    const lines: Line[] = [
      ...gifts.map((g) => ({
        at: g.created_at,
        cells: [
          g.created_at.toISOString(),
          'gift',
          g.gift_id,
          g.video_id,
          users.get(g.sender_id)!.username,
          g.diamonds,
          ((g.diamonds * DIAMOND_USD_CENTS) / 100).toFixed(2),
          g.id,
        ],
      })),
      ...(await toPayouts(pays)).map((p) => ({
        at: new Date(p.createdAt),
        cells: [
          p.createdAt,
          'cash-out',
          p.status,
          '',
          '',
          p.status === 'rejected' || p.status === 'expired' ? 0 : -p.diamonds,
          (-p.amountCents / 100).toFixed(2),
          p.id,
        ],
      })),
    ].sort((x, y) => x.at.getTime() - y.at.getTime());
    const head = ['date', 'type', 'item', 'video_id', 'from', 'diamonds', 'usd', 'id'];
    const csv = [head, ...lines.map((l) => l.cells)].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
    return { csv, rows: lines.length };
  }

  // ---- history -----------------------------------------------------------------------------------------------------
  const NOTES: Record<string, string> = {
    coin_purchase: 'Bought coins',
    gift: 'Sent a gift',
    refund: 'Purchase refunded',
    chargeback: 'Purchase charged back',
    recovery: 'Repaid recovery balance',
    promote: 'Promoted a video',
  };

  async function history(user: SessionUser, limit: number, cursor: string | undefined) {
    const w = await ledger.findAccount('COIN', 'wallet', user.id);
    if (!w) return { items: [], nextCursor: null };
    const page = await ledger.transfers({ accountId: w.id, limit, cursor });
    return {
      items: page.items.map((t) => ({
        id: t.id,
        kind: t.code,
        coins: t.creditAccountId === w.id ? t.amount : -t.amount,
        note: (NOTES[t.code] ?? t.code) + (typeof t.meta.gift === 'string' ? ` (${t.meta.gift})` : ''),
        at: t.createdAt.toISOString(),
      })),
      nextCursor: page.nextCursor,
    };
  }

  return {
    packages: () => ({ packages: [...COIN_PACKAGES] }),
    catalogue: () => ({ gifts: [...GIFTS], creatorSharePercent: CREATOR_SHARE_PERCENT, diamondUsdCents: DIAMOND_USD_CENTS }),
    wallet: (user: SessionUser) => walletView(user),
    history,
    async setSpendingLimit(user: SessionUser, dailyLimitCents: number | null) {
      await db
        .insertInto('wallet_settings')
        .values({ user_id: user.id, daily_limit_cents: dailyLimitCents })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ daily_limit_cents: dailyLimitCents, updated_at: clock.now() }))
        .execute();
      return walletView(user);
    },
    buyCoins,
    async myPurchases(user: SessionUser) {
      const rows = (await db
        .selectFrom('wallet_purchases')
        .selectAll()
        .where('user_id', '=', user.id)
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute()) as PurchaseRow[];
      return { items: rows.map(toPurchase) };
    },
    purchase: async (user: SessionUser, id: string) => toPurchase(await ownPurchase(user, id)),
    ownPurchase,
    purchaseRow,
    handleWebhook,
    sendGift,
    async videoGifts(videoId: string) {
      const video = await videosRepo.raw(videoId);
      if (!video || video.status !== 'ready' || video.visibility === 'private') throw notFound('video');
      const recent = await db
        .selectFrom('wallet_gifts')
        .select(['id', 'gift_id', 'sender_id', 'created_at'])
        .where('video_id', '=', videoId)
        .orderBy('created_at', 'desc')
        .limit(20)
        .execute();
      const users = await userSummaries(recent.map((r) => r.sender_id));
      return {
        videoId,
        ...(await totals({ video_id: videoId })),
        top: await leaderboard({ video_id: videoId }),
        recent: recent.map((r) => ({ id: r.id, giftId: r.gift_id, sender: users.get(r.sender_id)!, at: r.created_at.toISOString() })),
      };
    },
    async creatorGifts(username: string) {
      const u = await identity.byUsername(username);
      if (!u) throw notFound('user');
      return { creator: identity.summary(u), ...(await totals({ creator_id: u.id })), top: await leaderboard({ creator_id: u.id }) };
    },
    earnings,
    statement,
    requestPayout,
    async myPayouts(user: SessionUser) {
      return { items: await toPayouts(await payoutRows().where('user_id', '=', user.id).orderBy('created_at', 'desc').limit(100).execute()) };
    },
    async staffPayouts(staff: SessionUser, status?: Payout['status']) {
      requireRole(staff, ['admin', 'support']);
      let q = payoutRows().orderBy('created_at', 'asc').limit(200);
      const now = clock.now();
      if (status === 'expired') q = q.where((eb) => eb.or([eb('status', '=', 'expired'), eb.and([eb('status', '=', 'pending'), eb('expires_at', '<=', now)])]));
      else if (status === 'pending') q = q.where('status', '=', 'pending').where('expires_at', '>', now);
      else if (status) q = q.where('status', '=', status);
      return { items: await toPayouts(await q.execute()) };
    },
    approvePayout: (staff: SessionUser, id: string) => decidePayout(staff, id, { approve: true }),
    /** The `payments.recover` job: re-drive purchases a crash left unstarted and approvals a crash left unpaid or unrecorded. */
    async recover() {
      return { purchases: await intents.recover(), payouts: await recoverPayouts() };
    },
    rejectPayout: (staff: SessionUser, id: string, reason: string) => decidePayout(staff, id, { approve: false, reason }),
    async supportWallet(staff: SessionUser, username: string) {
      requireRole(staff, ['admin', 'support']);
      const u = await identity.byUsername(username);
      if (!u) throw notFound('user');
      const minor = isMinorRow(u);
      const purchases = (await db
        .selectFrom('wallet_purchases')
        .selectAll()
        .where('user_id', '=', u.id)
        .orderBy('created_at', 'desc')
        .limit(200)
        .execute()) as PurchaseRow[];
      const flags = await db
        .selectFrom('wallet_flags')
        .select(['kind', 'detail', 'created_at'])
        .where('user_id', '=', u.id)
        .orderBy('created_at', 'desc')
        .limit(200)
        .execute();
      return {
        user: identity.summary(u),
        isMinor: minor,
        wallet: await walletView({ id: u.id, isMinor: minor }),
        diamonds: (await balances(u.id)).diamonds,
        purchases: purchases.map(toPurchase),
        payouts: await toPayouts(await payoutRows().where('user_id', '=', u.id).orderBy('created_at', 'desc').limit(100).execute()),
        flags: flags.map((f) => ({ kind: f.kind, detail: f.detail, at: f.created_at.toISOString() })),
      };
    },
    async refundPurchase(staff: SessionUser, id: string) {
      requireRole(staff, ['admin', 'support']);
      const p = await purchaseRow(id);
      if (!p) throw notFound('purchase');
      if (p.status !== 'succeeded' || !p.provider_ref) throw conflict('not_refundable', `only a succeeded purchase can be refunded; this one is ${p.status}`);
      try {
        await payments.refund(p.provider_ref, p.id);
      } catch (err) {
        if (err instanceof PaymentProviderError) throw conflict('not_refundable', err.message);
        throw new AppError(502, 'payment_provider_error', err instanceof Error ? err.message : 'the payment provider failed');
      } finally {
        deps.onProviderActivity?.();
      }
      return toPurchase(p);
    },
    balances,
    requireRole,
  };
}
export type WalletService = ReturnType<typeof createWalletService>;
