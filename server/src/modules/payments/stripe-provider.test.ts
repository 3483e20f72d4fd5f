import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../../testing/harness.ts';
import { createWalletService } from '../wallet/wallet.service.ts';
import { createStripeProvider } from './stripe-provider.ts';
import { createSandboxPayoutProvider } from './sandbox-provider.ts';
import { WebhookSignatureError } from './payment-provider.ts';

type Recorded = {
  webhookSecret: string;
  purchaseId: string;
  webhooks: Record<string, { payload: string; signature: string; receivedAt: number }>;
  responses: Record<string, unknown>;
};
const rec = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'stripe-recorded.json'), 'utf8')) as Recorded;

/** A local stand-in for api.stripe.com that answers with the recorded responses and keeps what it was sent. */
function recordedStripe() {
  const seen: { method: string; path: string; form: URLSearchParams; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      seen.push({ method: req.method!, path: req.url!, form, headers: req.headers });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_recorded' });
        res.end(JSON.stringify(json));
      };
      if (req.method === 'POST' && req.url === '/v1/payment_intents') {
        const pm = form.get('payment_method');
        if (pm === 'pm_card_visa') return send(200, rec.responses.succeeded);
        if (pm === 'pm_card_threeDSecure2Required') return send(200, rec.responses.requires_action);
        if (pm === 'pm_card_chargeDeclined') return send(402, rec.responses.declined);
        return send(400, { error: { type: 'invalid_request_error', message: `No such PaymentMethod: '${pm}'`, code: 'resource_missing' } });
      }
      if (req.method === 'POST' && req.url === '/v1/refunds') return send(200, rec.responses.refund);
      send(404, { error: { type: 'invalid_request_error', message: 'Unrecognized request URL' } });
    });
  });
  return { server, seen };
}

const clockAt = (sec: number) => ({ now: () => new Date(sec * 1000) });

describe('payments: Stripe adapter against recorded responses and webhooks', () => {
  const { server, seen } = recordedStripe();
  let port = 0;
  let now = rec.webhooks.succeeded!.receivedAt;
  const clock = { now: () => new Date(now * 1000) };
  const provider = () =>
    createStripeProvider({
      secretKey: 'sk_test_recorded',
      webhookSecret: rec.webhookSecret,
      returnUrl: 'http://localhost:3000/wallet',
      clock,
      api: { host: '127.0.0.1', port, protocol: 'http' },
    });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('createPayment confirms a PaymentIntent with our purchase id as metadata and idempotency key', async () => {
    const p = provider();
    const r = await p.createPayment({
      purchaseId: rec.purchaseId,
      userId: 'u1',
      amountCents: 1000,
      currency: 'usd',
      paymentMethod: 'pm_card_visa',
      description: 'Flick 1,000 coins',
    });
    assert.deepEqual(r, { providerRef: 'pi_3QxFlickRecorded0001', status: 'processing', actionUrl: null, failureReason: null });
    const req = seen.at(-1)!;
    assert.equal(req.form.get('amount'), '1000');
    assert.equal(req.form.get('currency'), 'usd');
    assert.equal(req.form.get('confirm'), 'true');
    assert.equal(req.form.get('metadata[purchaseId]'), rec.purchaseId);
    assert.equal(req.headers['idempotency-key'], `purchase-${rec.purchaseId}`);
    assert.equal(req.headers.authorization, 'Bearer sk_test_recorded');
  });

  test('3-D Secure and a declined card', async () => {
    const p = provider();
    const three = await p.createPayment({
      purchaseId: rec.purchaseId,
      userId: 'u1',
      amountCents: 1000,
      currency: 'usd',
      paymentMethod: 'pm_card_threeDSecure2Required',
      description: 'x',
    });
    assert.equal(three.status, 'requires_action');
    assert.match(three.actionUrl ?? '', /^https:\/\/hooks\.stripe\.com\/3d_secure_2\//);
    const declined = await p.createPayment({
      purchaseId: rec.purchaseId,
      userId: 'u1',
      amountCents: 1000,
      currency: 'usd',
      paymentMethod: 'pm_card_chargeDeclined',
      description: 'x',
    });
    assert.deepEqual(declined, { providerRef: 'pi_3QxFlickDeclined0002', status: 'failed', actionUrl: null, failureReason: 'card_declined' });
    await assert.rejects(
      p.createPayment({ purchaseId: rec.purchaseId, userId: 'u1', amountCents: 1000, currency: 'usd', paymentMethod: 'pm_unknown', description: 'x' }),
      /No such PaymentMethod/,
    );
  });

  test('recorded webhooks verify and map onto provider events; tampered, foreign and stale ones do not', async () => {
    const p = provider();
    const expect: Record<string, string | null> = {
      requires_action: 'requires_action',
      succeeded: 'succeeded',
      failed: 'failed',
      refunded: 'refunded',
      dispute: 'disputed',
      customer_created: null,
    };
    for (const [name, w] of Object.entries(rec.webhooks)) {
      now = w.receivedAt + 3;
      const ev = await p.verifyWebhook(w.payload, { 'stripe-signature': w.signature });
      assert.equal(ev?.type ?? null, expect[name], name);
      if (ev) assert.equal(ev.providerRef, 'pi_3QxFlickRecorded0001', name);
    }
    const w = rec.webhooks.succeeded!;
    now = w.receivedAt;
    const ev = await p.verifyWebhook(w.payload, { 'stripe-signature': w.signature });
    assert.equal(ev?.purchaseId, rec.purchaseId);
    assert.equal(ev?.id, 'evt_3QxFlickOK0001');
    await assert.rejects(p.verifyWebhook(w.payload.replace('"amount": 1000', '"amount": 99999'), { 'stripe-signature': w.signature }), WebhookSignatureError);
    await assert.rejects(p.verifyWebhook(w.payload, {}), WebhookSignatureError);
    await assert.rejects(p.verifyWebhook(w.payload, { 'stripe-signature': rec.webhooks.refunded!.signature }), WebhookSignatureError);
    now = w.receivedAt + 3600; // a replay an hour later
    await assert.rejects(p.verifyWebhook(w.payload, { 'stripe-signature': w.signature }), WebhookSignatureError);
    const other = createStripeProvider({ secretKey: 'sk', webhookSecret: 'whsec_other', returnUrl: 'x', clock: clockAt(w.receivedAt) });
    await assert.rejects(other.verifyWebhook(w.payload, { 'stripe-signature': w.signature }), WebhookSignatureError);
  });

  describe('through the wallet', () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp();
    });
    after(() => t.close());

    test('buy → recorded success credits once → recorded refund claws back → a late dispute is ignored', async () => {
      const u = await t.newUser();
      const stripe = provider();
      const wallet = createWalletService({
        db: t.ctx.dbh.db,
        clock,
        log: t.ctx.log,
        ledger: t.ctx.ledger,
        identity: t.ctx.identity,
        videosRepo: t.ctx.videosRepo,
        payments: stripe,
        payouts: createSandboxPayoutProvider({ db: t.ctx.dbh.db }),
      });
      const session = { id: u.me.id, username: u.me.username, roles: u.me.roles, isMinor: false };
      const p = await wallet.buyCoins(session, { id: rec.purchaseId, packageId: 'coins_1000', paymentMethod: 'pm_card_visa' });
      assert.equal(p.status, 'pending');
      assert.equal(p.provider, 'stripe');
      const hook = async (name: string) => {
        const w = rec.webhooks[name]!;
        now = w.receivedAt + 1;
        return wallet.handleWebhook('stripe', w.payload, { 'stripe-signature': w.signature });
      };
      // Out of order: the success arrives before the older requires_action; then a redelivery.
      assert.equal((await hook('succeeded')).outcome, 'credited');
      assert.equal((await hook('requires_action')).outcome, 'ignored_stale');
      assert.deepEqual(await hook('succeeded'), { received: true, duplicate: true, outcome: 'credited' });
      assert.equal((await hook('customer_created')).outcome, 'ignored_event');
      assert.equal((await wallet.wallet(session)).coins, 1000);
      await assert.rejects(wallet.handleWebhook('sandbox', rec.webhooks.succeeded!.payload, {}), /not found/);

      const staff = { ...session, id: (await t.newUser()).me.id, roles: ['admin' as const] };
      await wallet.refundPurchase(staff, rec.purchaseId);
      const refundReq = seen.at(-1)!;
      assert.equal(refundReq.path, '/v1/refunds');
      assert.equal(refundReq.form.get('payment_intent'), 'pi_3QxFlickRecorded0001');
      assert.equal((await hook('refunded')).outcome, 'refunded');
      assert.equal((await hook('dispute')).outcome, 'ignored_stale');
      const after1 = await wallet.purchase(session, rec.purchaseId);
      assert.equal(after1.status, 'refunded');
      assert.equal(after1.clawedBackCoins, 1000);
      assert.equal((await wallet.wallet(session)).coins, 0);
      const r = await t.ctx.ledger.reconcile();
      assert.equal(r.ok, true);
    });
  });
});
