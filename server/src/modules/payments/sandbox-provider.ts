import crypto from 'node:crypto';
import type { Database } from '../../platform/db/db.ts';
import type { Clock } from '../../platform/clock.ts';
import {
  header,
  PaymentProviderError,
  WebhookSignatureError,
  type CreatePayment,
  type CreatedPayment,
  type PaymentProvider,
  type PayoutProvider,
  type ProviderEvent,
} from './payment-provider.ts';

/**
 * The embedded payment provider: it keeps its own books (sandbox_payments) like a remote one and tells the wallet of every
 * outcome only through signed webhooks from its outbox (sandbox_webhooks), delivered by a job — so they can be late,
 * and tests can deliver them twice or out of order. Test cards follow Stripe's numbers.
 */
export const SANDBOX_CARDS = {
  success: '4242424242424242',
  decline: '4000000000000002',
  threeDs: '4000002760003184',
} as const;

export const SANDBOX_SIGNATURE_HEADER = 'flick-signature';
/** Signatures older than this are refused (a replay of a captured webhook). Each delivery attempt is signed afresh. */
export const SANDBOX_TOLERANCE_SEC = 300;

type WebhookPayload = {
  id: string;
  type: ProviderEvent['type'];
  created: number;
  data: { payment: string; purchaseId: string; reason: string | null; actionUrl: string | null };
};

export type Deliver = (rawBody: string, headers: Record<string, string>) => Promise<void>;

export function signSandbox(secret: string, body: string, timestampSec: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex');
  return `t=${timestampSec},v1=${mac}`;
}

async function loadSecret(db: Database): Promise<string> {
  const key = 'payments.sandbox.webhook_secret';
  await db
    .insertInto('app_state')
    .values({ key, value: `whsec_${crypto.randomBytes(24).toString('base64url')}` })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (await db.selectFrom('app_state').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
}

export async function createSandboxProvider(deps: { db: Database; clock: Clock; onOutbox?: () => void }) {
  const { db, clock } = deps;
  // One secret per installation, shared by every process through the database.
  const secret = await loadSecret(db);
  const nowSec = () => Math.floor(clock.now().getTime() / 1000);

  /** Queues a webhook; `trx` is the transaction that changed the payment, so a state change and its webhook commit together (a crash cannot lose one). */
  async function emit(
    trx: Database,
    type: ProviderEvent['type'],
    payment: { id: string; purchase_id: string },
    extra: { reason?: string; actionUrl?: string } = {},
  ) {
    const payload: WebhookPayload = {
      id: `evt_${crypto.randomBytes(12).toString('hex')}`,
      type,
      created: nowSec(),
      data: { payment: payment.id, purchaseId: payment.purchase_id, reason: extra.reason ?? null, actionUrl: extra.actionUrl ?? null },
    };
    await trx
      .insertInto('sandbox_webhooks')
      .values({ id: payload.id, payload: JSON.stringify(payload) })
      .execute();
    return payload.id;
  }

  async function paymentOf(purchaseId: string) {
    return db.selectFrom('sandbox_payments').selectAll().where('purchase_id', '=', purchaseId).executeTakeFirst();
  }

  /** A succeeded payment is refunded or disputed; the state change and its webhook commit together. */
  async function settle(providerRef: string, to: 'refunded' | 'disputed', reason: string) {
    const done = await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('sandbox_payments')
        .set({ status: to })
        .where('id', '=', providerRef)
        .where('status', '=', 'succeeded')
        .returning(['id', 'purchase_id'])
        .executeTakeFirst();
      if (r) await emit(trx, to, r, { reason });
      return !!r;
    });
    if (done) deps.onOutbox?.();
    return done;
  }

  const provider: PaymentProvider & {
    secret: string;
    complete3ds(purchaseId: string, approve: boolean): Promise<void>;
    dispute(providerRef: string): Promise<void>;
    /** Deliver due webhooks in order; `order: 'reverse'` and `duplicate` exist for tests of out-of-order and repeated delivery. */
    deliverDue(deliver: Deliver, opts?: { order?: 'sent' | 'reverse'; duplicate?: boolean }): Promise<number>;
    sign(body: string, timestampSec?: number): string;
  } = {
    name: 'sandbox',
    secret,
    sign: (body, t = nowSec()) => signSandbox(secret, body, t),

    async createPayment(p: CreatePayment): Promise<CreatedPayment> {
      const card = p.paymentMethod.replace(/[\s-]/g, '');
      const known = Object.values(SANDBOX_CARDS) as string[];
      const status = card === SANDBOX_CARDS.success ? 'succeeded' : card === SANDBOX_CARDS.threeDs ? 'requires_action' : 'failed';
      const actionUrl = status === 'requires_action' ? `/wallet/3ds/${p.purchaseId}` : null;
      const reason = status === 'failed' ? (known.includes(card) ? 'card_declined' : 'the sandbox accepts only its test cards') : null;
      // Idempotent on the purchase id (Stripe's idempotency key): asking again, e.g. after a crash, answers with the first payment.
      const created = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('sandbox_payments')
          .values({
            id: `sbx_pi_${crypto.randomBytes(10).toString('hex')}`,
            purchase_id: p.purchaseId,
            user_id: p.userId,
            amount_cents: p.amountCents,
            card_last4: card.slice(-4).padStart(4, '0'),
            status,
          })
          .onConflict((oc) => oc.column('purchase_id').doNothing())
          .returning(['id', 'purchase_id'])
          .executeTakeFirst();
        if (row) await emit(trx, status, row, { reason: reason ?? undefined, actionUrl: actionUrl ?? undefined });
        return !!row;
      });
      if (created) deps.onOutbox?.();
      const pay = (await paymentOf(p.purchaseId))!;
      if (pay.amount_cents !== p.amountCents || pay.user_id !== p.userId) throw new PaymentProviderError('a different payment exists for this purchase id');
      if (pay.status === 'requires_action')
        return { providerRef: pay.id, status: 'requires_action', actionUrl: `/wallet/3ds/${p.purchaseId}`, failureReason: null };
      if (pay.status === 'failed') return { providerRef: pay.id, status: 'failed', actionUrl: null, failureReason: reason ?? 'payment_failed' };
      // Succeeded (or refunded/disputed since): the outcome travels by webhook.
      return { providerRef: pay.id, status: 'processing', actionUrl: null, failureReason: null };
    },

    async complete3ds(purchaseId, approve) {
      const next = approve ? 'succeeded' : 'failed';
      const done = await db.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable('sandbox_payments')
          .set({ status: next })
          .where('purchase_id', '=', purchaseId)
          .where('status', '=', 'requires_action')
          .returning(['id', 'purchase_id'])
          .executeTakeFirst();
        if (r) await emit(trx, next, r, approve ? {} : { reason: 'authentication_failed' });
        return !!r;
      });
      if (!done) throw new PaymentProviderError('no 3-D Secure step is waiting for this purchase');
      deps.onOutbox?.();
    },

    async refund(providerRef) {
      if (!(await settle(providerRef, 'refunded', 'requested_by_customer'))) throw new PaymentProviderError('only a succeeded payment can be refunded');
    },

    async dispute(providerRef) {
      if (!(await settle(providerRef, 'disputed', 'fraudulent'))) throw new PaymentProviderError('only a succeeded payment can be disputed');
    },

    async verifyWebhook(rawBody, headers) {
      const sig = header(headers, SANDBOX_SIGNATURE_HEADER);
      if (!sig) throw new WebhookSignatureError(`missing ${SANDBOX_SIGNATURE_HEADER} header`);
      const parts = Object.fromEntries(sig.split(',').map((kv) => kv.split('=', 2) as [string, string]));
      const t = Number(parts.t);
      if (!Number.isSafeInteger(t) || !parts.v1) throw new WebhookSignatureError('malformed signature header');
      if (Math.abs(nowSec() - t) > SANDBOX_TOLERANCE_SEC) throw new WebhookSignatureError('signature timestamp outside the tolerance (a replay?)');
      const expected = Buffer.from(signSandbox(secret, rawBody, t).split('v1=')[1]!, 'hex');
      const given = Buffer.from(parts.v1, 'hex');
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new WebhookSignatureError('signature does not match the body');
      let p: WebhookPayload;
      try {
        p = JSON.parse(rawBody) as WebhookPayload;
      } catch {
        throw new WebhookSignatureError('body is not JSON');
      }
      return {
        id: p.id,
        type: p.type,
        providerRef: p.data.payment,
        purchaseId: p.data.purchaseId,
        occurredAt: new Date(p.created * 1000),
        reason: p.data.reason,
        actionUrl: p.data.actionUrl,
      };
    },

    async deliverDue(deliver, opts = {}) {
      const due = await db
        .selectFrom('sandbox_webhooks')
        .select(['id', 'payload'])
        .where('delivered_at', 'is', null)
        .orderBy('seq', opts.order === 'reverse' ? 'desc' : 'asc')
        .limit(100)
        .execute();
      let n = 0;
      for (const w of due) {
        await db
          .updateTable('sandbox_webhooks')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('id', '=', w.id)
          .execute();
        const times = opts.duplicate ? 2 : 1;
        for (let i = 0; i < times; i++) await deliver(w.payload, { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: provider.sign(w.payload) });
        await db.updateTable('sandbox_webhooks').set({ delivered_at: clock.now() }).where('id', '=', w.id).execute();
        n++;
      }
      return n;
    },
  };
  return provider;
}
export type SandboxProvider = Awaited<ReturnType<typeof createSandboxProvider>>;

/** The embedded payout provider: records each payout once (idempotent on our payout id) and returns its reference. */
export function createSandboxPayoutProvider(deps: { db: Database }): PayoutProvider {
  return {
    name: 'sandbox',
    async pay(p) {
      if (!Number.isSafeInteger(p.amountCents) || p.amountCents <= 0) throw new PaymentProviderError('payout amount must be a positive whole number of cents');
      await deps.db
        .insertInto('sandbox_payouts')
        .values({ id: `sbx_po_${crypto.randomBytes(10).toString('hex')}`, payout_id: p.payoutId, user_id: p.userId, amount_cents: p.amountCents })
        .onConflict((oc) => oc.column('payout_id').doNothing())
        .execute();
      const row = await deps.db.selectFrom('sandbox_payouts').select('id').where('payout_id', '=', p.payoutId).executeTakeFirstOrThrow();
      return { providerRef: row.id };
    },
    async get(payoutId) {
      const row = await deps.db.selectFrom('sandbox_payouts').select(['id', 'amount_cents']).where('payout_id', '=', payoutId).executeTakeFirst();
      return row ? { providerRef: row.id, amountCents: row.amount_cents } : null;
    },
  };
}
