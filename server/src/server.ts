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
  registerAdsRoutes(app, ctx.ads);
  await ctx.recsys.start({ follow: true });
  await app.ready();
  return app;
}

/** The worker role: consume every job type (jobs a dead worker left active are failed over and retried first). */
export async function startWorker(ctx: AppContext) {
  await ctx.queue.work(ctx.jobs, { concurrency: ctx.config.workerConcurrency });
}
