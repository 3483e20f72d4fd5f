import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createHttpApp } from './http/app.ts';
import type { AppContext } from './context.ts';
import { repoRoot } from './context.ts';
import { registerIdentityRoutes } from './modules/identity/identity.routes.ts';
import { registerVideoRoutes } from './modules/videos/videos.routes.ts';
import { registerSocialRoutes } from './modules/social/social.routes.ts';
import { registerFeedRoutes } from './modules/feed/feed.routes.ts';
import { registerEventRoutes } from './modules/events/events.routes.ts';
import { registerAdsRoutes } from './modules/ads/ads.routes.ts';
import { registerAdsReportRoutes } from './modules/ads/ads.reports.routes.ts';
import { registerDiscoveryRoutes } from './modules/discovery/discovery.routes.ts';
import { registerShareRoutes } from './modules/share/share.routes.ts';
import { registerAnalyticsRoutes } from './modules/analytics/analytics.routes.ts';
import { registerEngagementRoutes } from './modules/engagement/engagement.routes.ts';
import { registerNotificationRoutes } from './modules/notifications/notifications.routes.ts';
import { registerWalletRoutes } from './modules/wallet/wallet.routes.ts';
import { registerLedgerRoutes } from './modules/ledger/ledger.routes.ts';
import { registerStudioRoutes } from './modules/studio/studio.routes.ts';
import { registerSoundRoutes } from './modules/sounds/sounds.routes.ts';
import { registerPromoteRoutes } from './modules/ads/promote.routes.ts';

export type HttpOptions = { authRateLimit?: { max: number; timeWindow: string }; webDist?: string | null };

/** The API process: HTTP app with every module's routes. */
export async function createServer(ctx: AppContext, opts: HttpOptions = {}): Promise<FastifyInstance> {
  const app = await createHttpApp({
    log: ctx.log,
    identity: ctx.identity,
    metrics: ctx.metrics,
    publicUrl: ctx.config.publicUrl,
    production: ctx.config.production,
    mediaRoot: ctx.mediaRoot,
    webDist: opts.webDist === null ? undefined : (opts.webDist ?? path.join(repoRoot, 'web', 'dist')),
    maxUploadBytes: ctx.config.maxUploadBytes,
  });
  registerIdentityRoutes(app, {
    identity: ctx.identity,
    production: ctx.config.production,
    authRateLimit: opts.authRateLimit ?? { max: 30, timeWindow: '1 minute' },
  });
  await registerVideoRoutes(app, { videos: ctx.videos, uploads: ctx.uploads, uploadDir: ctx.uploadDir, maxUploadBytes: ctx.config.maxUploadBytes });
  registerSocialRoutes(app, ctx.social);
  registerFeedRoutes(app, { feed: ctx.feed, recsys: ctx.recsys, identity: ctx.identity, events: ctx.events });
  registerEventRoutes(app, ctx.events, ctx.recsys);
  registerAdsRoutes(app, {
    ads: ctx.ads,
    billing: ctx.adsBilling,
    runtime: ctx.adsRuntime,
    challenges: ctx.sponsoredChallenges,
    db: ctx.dbh.db,
    members: ctx.adMembers,
    audiences: ctx.adAudiences,
    invoices: ctx.adInvoices,
  });
  registerAdsReportRoutes(app, { db: ctx.dbh.db, insight: (groupId) => ctx.adsRuntime.server.report(groupId) });
  registerDiscoveryRoutes(app, ctx.discovery);
  registerShareRoutes(app, { share: ctx.share, identity: ctx.identity });
  registerAnalyticsRoutes(app, ctx.analytics);
  registerEngagementRoutes(app, { engagement: ctx.engagement, comments: ctx.comments });
  registerNotificationRoutes(app, ctx.notifications);
  registerLedgerRoutes(app, { ledger: ctx.ledger, log: ctx.log, clock: ctx.clock });
  registerWalletRoutes(app, {
    wallet: ctx.wallet,
    sandbox: ctx.sandboxPayments,
    onProviderActivity: () =>
      void ctx.queue.send('payments.deliver', {}, { dedupKey: 'sandbox' }).catch((err: unknown) => ctx.log.warn({ err }, 'queueing webhook delivery failed')),
  });
  registerStudioRoutes(app, ctx.studio);
  registerSoundRoutes(app, { sounds: ctx.sounds, uploadDir: ctx.uploadDir, maxUploadBytes: ctx.config.maxUploadBytes });
  registerPromoteRoutes(app, ctx);
  await ctx.recsys.start({ follow: true });
  await ctx.adsRuntime.start({ follow: true });
  await app.ready();
  return app;
}

/** The worker role: consume every job type (jobs a dead worker left active are failed over and retried first). */
export async function startWorker(ctx: AppContext) {
  await ctx.queue.work(ctx.jobs, { concurrency: ctx.config.workerConcurrency });
  // Payment intents a crash left half-done are re-driven at once, not only at the next cron minute.
  await ctx.queue.send('payments.recover', {}, { dedupKey: 'start' });
}
