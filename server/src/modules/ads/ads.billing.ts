import type { Logger } from 'pino';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Database } from '../../platform/db/db.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { LedgerService, TransferRequest, TransferResult } from '../ledger/ledger.service.ts';
import { transferErrorMessages } from '../ledger/ledger.service.ts';
import type { PaymentProvider, ProviderEvent } from '../payments/payment-provider.ts';
import { createPaymentIntents } from '../payments/payment-intent.ts';
import { derivedId } from '../wallet/wallet.service.ts';

export const MICROS_PER_CENT = 10_000;
/** A lease is re-taken at least this often, so a pending transfer never reaches its timeout while the process lives. */
const LEASE_TIMEOUT_SEC = 3600;
/** The most one lease reserves (USD cents); big spenders simply renew more often. */
const LEASE_MAX_CENTS = 50_000;
export const TOPUP_MIN_CENTS = 1_000;
export const TOPUP_MAX_CENTS = 10_000_000;

export type Role = 'owner' | 'admin' | 'analyst';
type TopupStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'refunded' | 'charged_back';

/**
 * Advertiser money, on the ledger (USD cents):
 * - `advertiser_balance` (one per advertiser, no overdraft): credited by card top-ups (from `payment_clearing`,
 *   the same provider and webhooks as coin purchases) and by Promote paid in coins (from `ads_promo_credit`);
 * - the ad server spends from **leases**: a pending transfer advertiser_balance → `ads_revenue` reserves what it
 *   may spend; it is posted for what the recorded impressions cost (sub-cent remainders carried to the next
 *   lease) and the rest is released. Flat fees (sponsored challenges) go straight to `ads_revenue`.
 */
export function createAdsBilling(deps: {
  db: Database;
  clock: Clock;
  log: Logger;
  ledger: LedgerService;
  payments: PaymentProvider;
  onProviderActivity?: () => void;
}) {
  const { db, clock, log, ledger, payments } = deps;
  // The same payment-intent protocol as coin purchases (payments/payment-intent.ts): row first, idempotent provider call, re-drive.
  const intents = createPaymentIntents({
    db,
    clock,
    log,
    payments,
    table: 'ad_topups',
    logKey: 'topupId',
    refusedMessage: 'payment provider refused an ads top-up',
    request: (t) => ({ userId: t.user_id, amountCents: Number(t.amount_cents), currency: 'usd', description: 'Flick Ads balance' }),
    onProviderActivity: deps.onProviderActivity,
  });
  const ids = new Map<string, string>();
  async function account(kind: string, ownerId: string | null, noOverdraft = false) {
    const key = `${kind}:${ownerId ?? ''}`;
    const hit = ids.get(key);
    if (hit) return hit;
    const a = await ledger.ensureAccount({ asset: 'USD', kind, ownerId, flags: noOverdraft ? { debitsMustNotExceedCredits: true } : undefined });
    ids.set(key, a.id);
    return a.id;
  }
  const acct = {
    balance: (advertiserId: string) => account('advertiser_balance', advertiserId, true),
    revenue: () => account('ads_revenue', null),
    clearing: () => account('payment_clearing', null),
    promoCredit: () => account('ads_promo_credit', null),
  };

  async function roleOf(user: SessionUser, advertiserId: string): Promise<Role> {
    const m = await db
      .selectFrom('advertiser_members')
      .select('role')
      .where('advertiser_id', '=', advertiserId)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (!m) throw notFound('advertiser');
    return m.role;
  }

  function refused(results: TransferResult[]): AppError {
    const bad = results.find((r) => r.status === 'failed' && r.error !== 'linked_event_failed') ?? results.find((r) => r.status === 'failed');
    const code = bad?.error ?? 'invalid_request';
    if (code === 'exceeds_credits') return new AppError(402, 'insufficient_balance', 'the advertiser balance is too low; top up first');
    return new AppError(409, `ledger_${code}`, transferErrorMessages[code]);
  }
  async function transfer(batch: TransferRequest[]) {
    const results = await ledger.submit(batch);
    if (results.some((r) => r.status === 'failed')) throw refused(results);
    return results;
  }

  /** Spendable cents (posted credits − posted debits − reserved by open leases and holds). */
  async function available(advertiserId: string) {
    const a = await ledger.account(await acct.balance(advertiserId));
    if (!a) return { availableCents: 0, reservedCents: 0, postedCents: 0 };
    const posted = a.creditsPosted - a.debitsPosted;
    return { availableCents: posted - a.debitsPending, reservedCents: a.debitsPending, postedCents: posted };
  }

  const topupDto = (t: {
    id: string;
    amount_cents: number;
    status: TopupStatus;
    action_url: string | null;
    failure_reason: string | null;
    created_at: Date;
  }) => ({
    id: t.id,
    amountCents: Number(t.amount_cents),
    status: t.status,
    actionUrl: t.action_url,
    failureReason: t.failure_reason,
    createdAt: t.created_at.toISOString(),
  });

  async function applyTopupEvent(trx: Transaction<DB>, id: string, ev: ProviderEvent) {
    const now = clock.now();
    const t = await trx.selectFrom('ad_topups').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    if (!t.provider_ref) await trx.updateTable('ad_topups').set({ provider_ref: ev.providerRef }).where('id', '=', id).execute();
    const meta = { topupId: id, providerEvent: ev.id, advertiserId: t.advertiser_id };
    switch (ev.type) {
      case 'requires_action':
        if (t.status !== 'pending') return 'ignored_stale';
        await trx.updateTable('ad_topups').set({ status: 'requires_action', action_url: ev.actionUrl, updated_at: now }).where('id', '=', id).execute();
        return 'requires_action';
      case 'failed':
        if (t.status !== 'pending' && t.status !== 'requires_action') return 'ignored_stale';
        await trx
          .updateTable('ad_topups')
          .set({ status: 'failed', failure_reason: ev.reason ?? 'payment_failed', updated_at: now })
          .where('id', '=', id)
          .execute();
        return 'failed';
      case 'succeeded': {
        if (t.status === 'succeeded' || t.status === 'refunded' || t.status === 'charged_back') return 'ignored_stale';
        // The top-up id is the credit's transfer id: credited at most once, whatever else happens.
        const r = await ledger.createTransfers(
          [
            {
              id,
              debitAccountId: await acct.clearing(),
              creditAccountId: await acct.balance(t.advertiser_id),
              amount: Number(t.amount_cents),
              code: 'ads_topup',
              meta,
            },
          ],
          { trx },
        );
        if (r[0]!.status === 'failed') throw refused(r);
        await trx
          .updateTable('ad_topups')
          .set({ status: 'succeeded', credited_at: now, failure_reason: null, action_url: null, updated_at: now })
          .where('id', '=', id)
          .execute();
        return 'credited';
      }
      case 'refunded':
      case 'disputed': {
        const to = ev.type === 'refunded' ? 'refunded' : 'charged_back';
        if (t.status === 'refunded' || t.status === 'charged_back') return 'ignored_stale';
        if (t.status !== 'succeeded') {
          await trx.updateTable('ad_topups').set({ status: to, updated_at: now }).where('id', '=', id).execute();
          return 'reversed_before_credit';
        }
        // Take back what is still unspent; what was already spent is recorded as owed (the balance cannot go negative).
        const bal = await ledger.account(await acct.balance(t.advertiser_id));
        const free = bal ? bal.creditsPosted - bal.debitsPosted - bal.debitsPending : 0;
        const back = Math.min(Number(t.amount_cents), Math.max(0, free));
        if (back > 0) {
          const r = await ledger.createTransfers(
            [
              {
                id: derivedId(id, to),
                debitAccountId: await acct.balance(t.advertiser_id),
                creditAccountId: await acct.clearing(),
                amount: back,
                code: `ads_${to}`,
                meta,
              },
            ],
            { trx },
          );
          if (r[0]!.status === 'failed') throw refused(r);
        }
        const owed = Number(t.amount_cents) - back;
        await trx
          .updateTable('ad_topups')
          .set({
            status: to,
            failure_reason: owed > 0 ? `${owed} cents had already been spent on delivery when the payment was reversed` : null,
            updated_at: now,
          })
          .where('id', '=', id)
          .execute();
        return to;
      }
    }
  }

  return {
    acct,
    roleOf,
    available,

    async balance(user: SessionUser, advertiserId: string) {
      await roleOf(user, advertiserId);
      const b = await available(advertiserId);
      const spent = await db
        .selectFrom('ad_leases')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('posted_cents'), eb.lit(0)).as('cents'))
        .where('advertiser_id', '=', advertiserId)
        .executeTakeFirstOrThrow();
      const topups = await db.selectFrom('ad_topups').selectAll().where('advertiser_id', '=', advertiserId).orderBy('created_at', 'desc').limit(50).execute();
      return { ...b, spentCents: Number(spent.cents), topups: topups.map(topupDto) };
    },

    /** A card top-up: the row exists before the provider is called; the balance is credited only by the provider's webhook. */
    async topUp(user: SessionUser, advertiserId: string, body: { id: string; amountCents: number; paymentMethod: string }) {
      const role = await roleOf(user, advertiserId);
      if (role === 'analyst') throw forbidden('analysts cannot add funds', 'analyst_read_only');
      const prior = await db.selectFrom('ad_topups').selectAll().where('id', '=', body.id).executeTakeFirst();
      if (prior) {
        if (prior.advertiser_id === advertiserId && Number(prior.amount_cents) === body.amountCents) {
          // A retry of a request a crash cut off between our row and the provider's answer: ask again (idempotent on the id).
          if (intents.needsStart(prior)) await intents.start(body.id, body.paymentMethod);
          else return topupDto(prior);
          return topupDto(await db.selectFrom('ad_topups').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow());
        }
        throw conflict('topup_id_in_use', 'this top-up id is in use; choose a new one');
      }
      const inWallet = await db.selectFrom('wallet_purchases').select('id').where('id', '=', body.id).executeTakeFirst();
      if (inWallet) throw conflict('topup_id_in_use', 'this top-up id is in use; choose a new one');
      const now = clock.now();
      await db
        .insertInto('ad_topups')
        .values({
          id: body.id,
          advertiser_id: advertiserId,
          user_id: user.id,
          amount_cents: body.amountCents,
          provider: payments.name,
          status: 'pending',
          payment_method: body.paymentMethod,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await intents.start(body.id, body.paymentMethod);
      return topupDto(await db.selectFrom('ad_topups').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow());
    },

    /** The `payments.recover` job's part: top-ups a crash left unstarted are re-driven, or failed after the deadline. */
    recoverTopups: () => intents.recover(),

    /** The wallet's webhook handler hands over payments that are not coin purchases; null = not a top-up either. */
    async providerEvent(provider: string, ev: ProviderEvent): Promise<{ duplicate: boolean; outcome: string } | null> {
      const t = ev.purchaseId
        ? await db.selectFrom('ad_topups').select(['id', 'provider', 'provider_ref']).where('id', '=', ev.purchaseId).executeTakeFirst()
        : await db
            .selectFrom('ad_topups')
            .select(['id', 'provider', 'provider_ref'])
            .where('provider', '=', provider)
            .where('provider_ref', '=', ev.providerRef)
            .executeTakeFirst();
      if (!t || t.provider !== provider || (t.provider_ref && t.provider_ref !== ev.providerRef)) return null;
      await acct.balance((await db.selectFrom('ad_topups').select('advertiser_id').where('id', '=', t.id).executeTakeFirstOrThrow()).advertiser_id);
      await acct.clearing();
      return intents.withEvent(provider, ev, t.id, (trx) => applyTopupEvent(trx, t.id, ev));
    },

    /** Credit an advertiser from a payment made elsewhere (Promote paid in coins): `id` is the idempotency key. */
    async creditPromotion(advertiserId: string, id: string, cents: number, meta: Record<string, string>) {
      await transfer([
        { id, debitAccountId: await acct.promoCredit(), creditAccountId: await acct.balance(advertiserId), amount: cents, code: 'ads_promo_credit', meta },
      ]);
    },

    /** A flat fee (a sponsored challenge) from the balance to revenue; 402 when the balance is too low. */
    async chargeFee(advertiserId: string, id: string, cents: number, code: string, meta: Record<string, string>) {
      if (!Number.isSafeInteger(cents) || cents <= 0) throw badRequest('invalid_amount', 'a fee must be a positive number of cents');
      await transfer([{ id, debitAccountId: await acct.balance(advertiserId), creditAccountId: await acct.revenue(), amount: cents, code, meta }]);
    },

    /** Reserve up to `maxCents` of the advertiser's balance for delivery. Null when nothing is available. */
    async openLease(advertiserId: string, leaseId: string, wantCents: number): Promise<number | null> {
      const { availableCents } = await available(advertiserId);
      const cents = Math.min(availableCents, LEASE_MAX_CENTS, Math.max(1, Math.ceil(wantCents)));
      if (cents <= 0) return null;
      const r = await ledger.submit([
        {
          id: leaseId,
          debitAccountId: await acct.balance(advertiserId),
          creditAccountId: await acct.revenue(),
          amount: cents,
          code: 'ads_lease',
          pendingTimeoutSec: LEASE_TIMEOUT_SEC,
          meta: { advertiserId },
        },
      ]);
      if (r[0]!.status === 'failed') return null; // spent elsewhere in between: try again next round
      await db
        .insertInto('ad_leases')
        .values({ id: leaseId, advertiser_id: advertiserId, amount_cents: cents })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return cents;
    },

    /**
     * Close a lease: post what was spent from it (whole cents) and release the rest. `spentMicros` includes the
     * carry from the previous lease; the sub-cent remainder is returned, to be carried into the next one.
     */
    async closeLease(advertiserId: string, leaseId: string, spentMicros: number): Promise<{ postedCents: number; carryMicros: number }> {
      const lease = await db.selectFrom('ad_leases').selectAll().where('id', '=', leaseId).executeTakeFirst();
      if (!lease || lease.state !== 'open') return { postedCents: Number(lease?.posted_cents ?? 0), carryMicros: 0 };
      const cents = Math.min(Number(lease.amount_cents), Math.floor(spentMicros / MICROS_PER_CENT));
      const carry = spentMicros - cents * MICROS_PER_CENT;
      const balance = await acct.balance(advertiserId);
      const revenue = await acct.revenue();
      const req: TransferRequest =
        cents > 0
          ? {
              id: derivedId(leaseId, 'post'),
              debitAccountId: balance,
              creditAccountId: revenue,
              amount: cents,
              postPendingId: leaseId,
              code: 'ads_spend',
              meta: { advertiserId },
            }
          : {
              id: derivedId(leaseId, 'void'),
              debitAccountId: balance,
              creditAccountId: revenue,
              amount: 0,
              voidPendingId: leaseId,
              code: 'ads_lease_release',
              meta: { advertiserId },
            };
      const [r] = await ledger.submit([req]);
      if (r!.status === 'failed' && r!.error === 'pending_expired' && cents > 0) {
        // The process was gone past the lease's timeout: charge what the recorded impressions cost directly.
        const [late] = await ledger.submit([
          {
            id: derivedId(leaseId, 'late'),
            debitAccountId: balance,
            creditAccountId: revenue,
            amount: cents,
            code: 'ads_spend',
            meta: { advertiserId, leaseId },
          },
        ]);
        if (late!.status === 'failed') log.error({ leaseId, advertiserId, cents, error: late!.error }, 'ads spend of an expired lease could not be charged');
      } else if (r!.status === 'failed' && r!.error !== 'pending_expired') {
        log.error({ leaseId, error: r!.error }, 'closing an ads lease failed');
        throw refused([r!]);
      }
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('ad_leases')
          .set({ state: cents > 0 ? 'posted' : 'voided', posted_cents: cents, closed_at: clock.now() })
          .where('id', '=', leaseId)
          .execute();
        await trx.updateTable('advertisers').set({ spend_carry_micros: carry }).where('id', '=', advertiserId).execute();
      });
      return { postedCents: cents, carryMicros: carry };
    },
  };
}
export type AdsBilling = ReturnType<typeof createAdsBilling>;
