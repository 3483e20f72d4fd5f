/** The payment provider port: the wallet asks it to charge and refund, and learns outcomes only from its signed webhooks. */

export type ProviderName = 'sandbox' | 'stripe';

/** A provider's webhook, verified and reduced to what the wallet acts on. */
export type ProviderEvent = {
  /** The provider's event id: the same event delivered twice carries the same id. */
  id: string;
  type: 'succeeded' | 'failed' | 'requires_action' | 'refunded' | 'disputed';
  /** The provider's payment reference (sandbox payment id, Stripe PaymentIntent id). */
  providerRef: string;
  /** Our purchase id, when the provider echoes it back (metadata). */
  purchaseId: string | null;
  occurredAt: Date;
  reason: string | null;
  actionUrl: string | null;
};

export type CreatePayment = {
  purchaseId: string;
  userId: string;
  amountCents: number;
  currency: 'usd';
  paymentMethod: string;
  description: string;
};

export type CreatedPayment = {
  providerRef: string;
  /** `processing`: wait for the webhook; `requires_action`: the buyer must complete a step at `actionUrl`; `failed`: declined now. */
  status: 'processing' | 'requires_action' | 'failed';
  actionUrl: string | null;
  failureReason: string | null;
};

export type PaymentProvider = {
  readonly name: ProviderName;
  createPayment(p: CreatePayment): Promise<CreatedPayment>;
  refund(providerRef: string, purchaseId: string): Promise<void>;
  /** Verifies the signature and parses; throws WebhookSignatureError on a bad or missing signature. Null: an event type we ignore. */
  verifyWebhook(rawBody: string, headers: Record<string, string | string[] | undefined>): Promise<ProviderEvent | null>;
};

export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

export class PaymentProviderError extends Error {
  override name = 'PaymentProviderError';
}

/** Pays creators out. Idempotent on `payoutId`: asking twice pays once and returns the same reference. */
export type PayoutProvider = {
  readonly name: string;
  pay(p: { payoutId: string; userId: string; amountCents: number; currency: 'usd' }): Promise<{ providerRef: string }>;
  /** The provider's own record of a payout, or null when it never made one (reconciliation after a crash). */
  get(payoutId: string): Promise<{ providerRef: string; amountCents: number } | null>;
};

export const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};
