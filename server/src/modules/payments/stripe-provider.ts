import Stripe from 'stripe';
import type { Clock } from '../../platform/clock.ts';
import {
  header,
  PaymentProviderError,
  WebhookSignatureError,
  type CreatePayment,
  type CreatedPayment,
  type PaymentProvider,
  type ProviderEvent,
} from './payment-provider.ts';

export type StripeProviderOptions = {
  secretKey: string;
  webhookSecret: string;
  /** Where Stripe sends the buyer back after a 3-D Secure redirect. */
  returnUrl: string;
  clock: Clock;
  /** Point the client elsewhere (a recorded-response server in tests). */
  api?: { host: string; port: number; protocol: 'http' | 'https' };
  toleranceSec?: number;
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : v && typeof v === 'object' && 'id' in v && typeof v.id === 'string' ? v.id : null);

/** Stripe adapter: PaymentIntents (confirmed at creation), refunds, and verified webhooks mapped onto the provider port. */
export function createStripeProvider(o: StripeProviderOptions): PaymentProvider {
  const stripe = new Stripe(o.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(o.api ? { host: o.api.host, port: o.api.port, protocol: o.api.protocol } : {}),
  });
  const tolerance = o.toleranceSec ?? 300;

  return {
    name: 'stripe',
    async createPayment(p: CreatePayment): Promise<CreatedPayment> {
      try {
        const pi = await stripe.paymentIntents.create(
          {
            amount: p.amountCents,
            currency: p.currency,
            payment_method: p.paymentMethod,
            confirm: true,
            description: p.description,
            metadata: { purchaseId: p.purchaseId, userId: p.userId },
            return_url: `${o.returnUrl}?purchase=${encodeURIComponent(p.purchaseId)}`,
            automatic_payment_methods: { enabled: true, allow_redirects: 'always' },
          },
          // Our purchase id makes a retried create one PaymentIntent.
          { idempotencyKey: `purchase-${p.purchaseId}` },
        );
        if (pi.status === 'requires_action') {
          const url = pi.next_action?.redirect_to_url?.url ?? null;
          return { providerRef: pi.id, status: 'requires_action', actionUrl: url, failureReason: null };
        }
        if (pi.status === 'canceled' || pi.status === 'requires_payment_method')
          return { providerRef: pi.id, status: 'failed', actionUrl: null, failureReason: pi.last_payment_error?.code ?? 'payment_failed' };
        // succeeded / processing: coins wait for the webhook either way.
        return { providerRef: pi.id, status: 'processing', actionUrl: null, failureReason: null };
      } catch (err) {
        if (err instanceof Stripe.errors.StripeCardError) {
          const ref = err.payment_intent?.id;
          if (ref) return { providerRef: ref, status: 'failed', actionUrl: null, failureReason: err.code ?? 'card_declined' };
        }
        throw new PaymentProviderError(`stripe: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    async refund(providerRef, purchaseId) {
      try {
        await stripe.refunds.create({ payment_intent: providerRef, reason: 'requested_by_customer' }, { idempotencyKey: `refund-${purchaseId}` });
      } catch (err) {
        throw new PaymentProviderError(`stripe: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    async verifyWebhook(rawBody, headers) {
      const sig = header(headers, 'stripe-signature');
      if (!sig) throw new WebhookSignatureError('missing stripe-signature header');
      let event: Stripe.Event;
      try {
        // receivedAt is in milliseconds.
        event = stripe.webhooks.constructEvent(rawBody, sig, o.webhookSecret, tolerance, undefined, o.clock.now().getTime());
      } catch (err) {
        throw new WebhookSignatureError(err instanceof Error ? err.message : 'bad signature');
      }
      const base = { id: event.id, occurredAt: new Date(event.created * 1000) };
      // Only these event types move money; every other type is acknowledged and ignored.
      if (event.type === 'payment_intent.succeeded' || event.type === 'payment_intent.payment_failed' || event.type === 'payment_intent.requires_action') {
        const pi = event.data.object;
        const type: ProviderEvent['type'] =
          event.type === 'payment_intent.succeeded' ? 'succeeded' : event.type === 'payment_intent.payment_failed' ? 'failed' : 'requires_action';
        return {
          ...base,
          type,
          providerRef: pi.id,
          purchaseId: pi.metadata?.purchaseId ?? null,
          reason: pi.last_payment_error?.code ?? null,
          actionUrl: pi.next_action?.redirect_to_url?.url ?? null,
        };
      }
      if (event.type === 'charge.refunded') {
        const ch = event.data.object;
        const ref = str(ch.payment_intent);
        if (!ref || !ch.refunded) return null; // a partial refund: coins are not partially clawed back
        return { ...base, type: 'refunded', providerRef: ref, purchaseId: ch.metadata?.purchaseId ?? null, reason: null, actionUrl: null };
      }
      if (event.type === 'charge.dispute.created') {
        const d = event.data.object;
        const ref = str(d.payment_intent);
        if (!ref) return null;
        return { ...base, type: 'disputed', providerRef: ref, purchaseId: null, reason: d.reason, actionUrl: null };
      }
      return null;
    },
  };
}
