import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import type { AppContext } from '../../context.ts';
import { createPromoteService } from './promote.service.ts';
import { createSparkService } from './spark.ts';

/** How often card promotions waiting for their payment are checked (the provider's webhook credits the top-up). */
const SYNC_MS = 3_000;

/** Spark ad codes and Promote (contracts/src/promote.ts). The services are built here from the context's ports. */
export function registerPromoteRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.dbh.db;
  const isSuspended = (userId: string) => ctx.identity.isSuspended(userId);
  const onAdsChanged = () => ctx.adsRuntime.refresh();
  const spark = createSparkService({ db, clock: ctx.clock, isSuspended, onAdsChanged });
  const promote = createPromoteService({
    db,
    clock: ctx.clock,
    log: ctx.log,
    ledger: ctx.ledger,
    billing: ctx.adsBilling,
    publicUrl: ctx.config.publicUrl,
    isSuspended,
    onAdsChanged,
  });

  mount(app, 'createSparkCode', async (req) => spark.createCode(req.user, req.body), { rateLimit: { max: 30, timeWindow: '10 minutes' } });
  mount(app, 'mySparkCodes', async (req) => spark.myCodes(req.user));
  mount(app, 'revokeSparkCode', async (req) => spark.revoke(req.user, req.params.id));
  mount(app, 'createSparkAd', async (req) => spark.createSparkAd(req.user, req.params.id, req.body), { rateLimit: { max: 60, timeWindow: '10 minutes' } });
  mount(app, 'promote', async (req) => promote.promote(req.user, req.body), { rateLimit: { max: 20, timeWindow: '10 minutes' } });
  mount(app, 'myPromotions', async (req) => promote.list(req.user, req.query.videoId));
  mount(app, 'stopPromotion', async (req) => promote.stop(req.user, req.params.id));

  // Card promotions start when their top-up is credited, also when their creator is not looking.
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    promote
      .sync()
      .catch((err: unknown) => ctx.log.warn({ err }, 'starting paid promotions failed'))
      .finally(() => (busy = false));
  }, SYNC_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
  return { spark, promote };
}
