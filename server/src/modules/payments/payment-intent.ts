import type { Selectable, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../platform/db/db.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../http/errors.ts';
import { PaymentProviderError, type CreatePayment, type PaymentProvider, type ProviderEvent } from './payment-provider.ts';

/**
 * A payment intent: one of our rows (a coin purchase, an advertiser top-up) that asks the payment provider for money.
 * The same protocol serves every such row:
 *
 * 1. the caller commits the row (`pending`, with the payment method) **before** the provider is called, so a webhook
 *    that overtakes the answer still finds it;
 * 2. `start` asks the provider with our row id as its idempotency key (sandbox: unique purchase id; Stripe:
 *    `Idempotency-Key: purchase-<id>`), then records the first synchronous answer (provider reference; declined or
 *    3-D Secure now) — unless a webhook has moved the row already — and forgets the payment method;
 *    a provider error fails the row (502);
 * 3. `withEvent` applies a verified webhook once: the event id goes into `payment_events` in the transaction that applies
 *    it, so a duplicate answers the first outcome and moves nothing;
 * 4. a crash between 1 and the end of 2 leaves a `pending` row without a provider reference. A retry of the request
 *    re-drives it (`needsStart`), and so does the `payments.recover` job (`recover`) for rows older than
 *    `PAYMENT_RECOVERY_GRACE_SEC`; a row still unstarted after `PAYMENT_START_DEADLINE_SEC` (or with no payment method
 *    to ask with) fails with `payment_interrupted`. Nothing is ever left pending forever. Money moves only on the
 *    provider's webhooks, so a failed row that the provider did charge is still credited by its success webhook.
 */
export const PAYMENT_RECOVERY_GRACE_SEC = 120;
export const PAYMENT_START_DEADLINE_SEC = 3600;
export const PAYMENT_INTERRUPTED = 'payment_interrupted: the request was cut off before the payment provider answered';

export type IntentTable = 'wallet_purchases' | 'ad_topups';
type Row<T extends IntentTable> = Selectable<DB[T]>;

export type PaymentIntentOptions<T extends IntentTable> = {
  db: Database;
  clock: Clock;
  log: Logger;
  payments: PaymentProvider;
  table: T;
  /** The log field naming the row (`purchaseId`, `topupId`) and the warning logged when the provider refuses. */
  logKey: string;
  refusedMessage: string;
  /** What to ask the provider for, from the row. */
  request: (row: Row<T>) => Omit<CreatePayment, 'purchaseId' | 'paymentMethod'>;
  onProviderActivity?: () => void;
};

export function createPaymentIntents<T extends IntentTable>(o: PaymentIntentOptions<T>) {
  const { db, clock, log, payments } = o;
  // Both tables share every column used here (id, status, provider_ref, payment_method, action_url, failure_reason,
  // attempts, created_at, updated_at) with the same types; the queries are typed against one of them.
  const table = o.table as 'wallet_purchases';
  const rowOf = async (id: string) => (await db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst()) as Row<T> | undefined;

  /** Asks the provider for the payment of a row that exists, and records its synchronous answer. Throws 502 on a provider error. */
  async function start(id: string, paymentMethod: string): Promise<void> {
    const row = await rowOf(id);
    if (!row) throw new Error(`payment intent ${id} has no row in ${o.table}`);
    let created;
    try {
      created = await payments.createPayment({ ...o.request(row), purchaseId: id, paymentMethod });
    } catch (err) {
      const reason = err instanceof PaymentProviderError ? err.message : 'the payment provider is unavailable';
      await db
        .updateTable(table)
        .set({ status: 'failed', failure_reason: reason, payment_method: null, updated_at: clock.now() })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      log.warn({ err, [o.logKey]: id }, o.refusedMessage);
      throw new AppError(502, 'payment_provider_error', reason);
    } finally {
      o.onProviderActivity?.();
    }
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable(table)
        .set({ provider_ref: created.providerRef, payment_method: null })
        .where('id', '=', id)
        .where('provider_ref', 'is', null)
        .execute();
      // Only a row no webhook has moved yet takes the synchronous answer.
      if (created.status !== 'processing')
        await trx
          .updateTable(table)
          .set({ status: created.status, action_url: created.actionUrl, failure_reason: created.failureReason, updated_at: clock.now() })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .execute();
    });
  }

  /** A row whose start a crash cut off: committed, still pending, and the provider's answer never recorded. */
  const needsStart = (row: { status: string; provider_ref: string | null }) => row.status === 'pending' && !row.provider_ref;

  /** Applies a verified webhook once, in one transaction with its `payment_events` row; a duplicate answers the first outcome. */
  async function withEvent(provider: string, ev: ProviderEvent, id: string, apply: (trx: Transaction<DB>) => Promise<string>) {
    return db.transaction().execute(async (trx) => {
      const fresh = await trx
        .insertInto('payment_events')
        .values({ provider, event_id: ev.id, type: ev.type, purchase_id: id, outcome: 'pending' })
        .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!fresh) {
        const prior = await trx
          .selectFrom('payment_events')
          .select('outcome')
          .where('provider', '=', provider)
          .where('event_id', '=', ev.id)
          .executeTakeFirst();
        return { duplicate: true, outcome: prior?.outcome ?? 'duplicate' };
      }
      const outcome = await apply(trx);
      await trx.updateTable('payment_events').set({ outcome }).where('provider', '=', provider).where('event_id', '=', ev.id).execute();
      // The provider knows the payment now: the method is not needed any more.
      await trx.updateTable(table).set({ payment_method: null }).where('id', '=', id).where('payment_method', 'is not', null).execute();
      return { duplicate: false, outcome };
    });
  }

  /**
   * The recovery job's part: re-drive every row a crash left unstarted for longer than the grace period (the provider is
   * idempotent on our id, so a payment it did create is answered again, not made twice); fail those past the deadline.
   */
  async function recover(limit = 200): Promise<{ redriven: number; failed: number }> {
    const now = clock.now();
    const due = await db
      .selectFrom(table)
      .select(['id', 'payment_method', 'created_at'])
      .where('status', '=', 'pending')
      .where('provider_ref', 'is', null)
      .where('created_at', '<=', new Date(now.getTime() - PAYMENT_RECOVERY_GRACE_SEC * 1000))
      .orderBy('created_at')
      .limit(limit)
      .execute();
    let redriven = 0;
    let failed = 0;
    for (const r of due) {
      if (r.payment_method && r.created_at.getTime() > now.getTime() - PAYMENT_START_DEADLINE_SEC * 1000) {
        await db
          .updateTable(table)
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('id', '=', r.id)
          .execute();
        try {
          await start(r.id, r.payment_method);
          redriven++;
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          failed++; // start() failed the row with the provider's reason
        }
        continue;
      }
      const n = await db
        .updateTable(table)
        .set({ status: 'failed', failure_reason: PAYMENT_INTERRUPTED, payment_method: null, updated_at: now })
        .where('id', '=', r.id)
        .where('status', '=', 'pending')
        .where('provider_ref', 'is', null)
        .executeTakeFirst();
      if (Number(n.numUpdatedRows) > 0) {
        failed++;
        log.warn({ [o.logKey]: r.id }, 'payment intent never started before its deadline: failed');
      }
    }
    return { redriven, failed };
  }

  return { start, needsStart, withEvent, recover };
}
export type PaymentIntents = ReturnType<typeof createPaymentIntents>;
