import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import { conflict, notFound } from '../../http/errors.ts';
import { PaymentProviderError } from '../payments/payment-provider.ts';
import type { SandboxProvider } from '../payments/sandbox-provider.ts';
import type { WalletService } from './wallet.service.ts';

export function registerWalletRoutes(
  app: FastifyInstance,
  deps: { wallet: WalletService; sandbox: SandboxProvider | undefined; onProviderActivity?: () => void },
) {
  const { wallet, sandbox } = deps;
  mount(app, 'coinPackages', async () => wallet.packages());
  mount(app, 'wallet', async (req) => wallet.wallet(req.user));
  mount(app, 'walletHistory', async (req) => wallet.history(req.user, req.query.limit, req.query.cursor));
  mount(app, 'setSpendingLimit', async (req) => wallet.setSpendingLimit(req.user, req.body.dailyLimitCents));
  mount(app, 'buyCoins', async (req) => wallet.buyCoins(req.user, req.body), { rateLimit: { max: 120, timeWindow: '1 minute' } });
  mount(app, 'myPurchases', async (req) => wallet.myPurchases(req.user));
  mount(app, 'purchase', async (req) => wallet.purchase(req.user, req.params.id));
  mount(app, 'giftCatalogue', async () => wallet.catalogue());
  mount(app, 'sendGift', async (req) => wallet.sendGift(req.user, req.params.id, req.body), { rateLimit: { max: 600, timeWindow: '1 minute' } });
  mount(app, 'videoGifts', async (req) => wallet.videoGifts(req.params.id));
  mount(app, 'creatorGifts', async (req) => wallet.creatorGifts(req.params.username));
  mount(app, 'earnings', async (req) => wallet.earnings(req.user, req.query.days));
  mount(app, 'earningsStatement', async (req) => wallet.statement(req.user, req.query));
  mount(app, 'requestPayout', async (req) => wallet.requestPayout(req.user, req.body));
  mount(app, 'myPayouts', async (req) => wallet.myPayouts(req.user));
  mount(app, 'staffPayouts', async (req) => wallet.staffPayouts(req.user, req.query.status));
  mount(app, 'approvePayout', async (req) => wallet.approvePayout(req.user, req.params.id));
  mount(app, 'rejectPayout', async (req) => wallet.rejectPayout(req.user, req.params.id, req.body.reason));
  mount(app, 'supportWallet', async (req) => wallet.supportWallet(req.user, req.params.username));
  mount(app, 'refundPurchase', async (req) => wallet.refundPurchase(req.user, req.params.id));

  mount(app, 'sandbox3ds', async (req) => {
    if (!sandbox) throw notFound('sandbox payment provider');
    const p = await wallet.ownPurchase(req.user, req.params.id);
    try {
      await sandbox.complete3ds(p.id, req.body.approve);
    } catch (err) {
      if (err instanceof PaymentProviderError) throw conflict('no_action_pending', err.message);
      throw err;
    } finally {
      deps.onProviderActivity?.();
    }
    return wallet.purchase(req.user, p.id);
  });
  mount(app, 'sandboxChargeback', async (req) => {
    if (!sandbox) throw notFound('sandbox payment provider');
    wallet.requireRole(req.user, ['admin']);
    const p = await wallet.purchaseRow(req.params.id);
    if (!p) throw notFound('purchase');
    if (!p.provider_ref) throw conflict('not_disputable', 'this purchase has no payment yet');
    try {
      await sandbox.dispute(p.provider_ref);
    } catch (err) {
      if (err instanceof PaymentProviderError) throw conflict('not_disputable', err.message);
      throw err;
    } finally {
      deps.onProviderActivity?.();
    }
    return { ok: true as const };
  });

  // Webhooks are verified over the exact bytes the provider signed, so this scope keeps JSON bodies as strings.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));
    mount(scope, 'paymentWebhook', async (req) => wallet.handleWebhook(req.params.provider, req.body, req.raw.headers));
  });
}
