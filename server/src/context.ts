import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import type { Config } from './config/env.ts';
import { migrate, openDb, type DbHandle } from './platform/db/db.ts';
import { createFsBlobStore } from './platform/blob/fs-blob-store.ts';
import type { BlobStore } from './platform/blob/blob.ts';
import { createPgBossQueue, type JobQueue } from './platform/queue/queue.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { findMediaTools, type FoundMediaTools } from './media/ffmpeg-binaries.ts';
import { createMediaRunner, type MediaRunner } from './media/media-runner.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { createIdentityRepo } from './modules/identity/identity.repo.ts';
import { createIdentityService, type IdentityService } from './modules/identity/identity.service.ts';
import { createVideosRepo, type VideosRepo } from './modules/videos/videos.repo.ts';
import { createVideosService, type VideosService } from './modules/videos/videos.service.ts';
import { createVideoJobs } from './modules/videos/videos.jobs.ts';
import { createSocialService, type SocialService } from './modules/social/social.service.ts';
import { createFeedService, type FeedService } from './modules/feed/feed.service.ts';
import { createEventsService, type EventsService } from './modules/events/events.service.ts';
import { createRecsysService, type RecsysService } from './modules/recsys/recsys.service.ts';
import { createLedgerService, type LedgerService } from './modules/ledger/ledger.service.ts';
import { createLedgerJobs } from './modules/ledger/ledger.jobs.ts';
import { createWalletService, type WalletService } from './modules/wallet/wallet.service.ts';
import { createSandboxPayoutProvider, createSandboxProvider, type SandboxProvider } from './modules/payments/sandbox-provider.ts';
import { createStripeProvider } from './modules/payments/stripe-provider.ts';
import { createNotificationsService, type NotificationsService } from './modules/notifications/notifications.service.ts';
import { createEngagementService, type EngagementService } from './modules/engagement/engagement.service.ts';
import { createCommentsService, type CommentsService } from './modules/engagement/comments.service.ts';
import { createDiscoveryService, type DiscoveryService } from './modules/discovery/discovery.service.ts';
import { createShareService, type ShareService } from './modules/share/share.service.ts';
import { createAnalyticsService, type AnalyticsService } from './modules/analytics/analytics.service.ts';
import { createSoundsService, type SoundsService } from './modules/sounds/sounds.service.ts';
import { createStudioService, type StudioService } from './modules/studio/studio.service.ts';
import { createStudioJobs } from './modules/studio/studio.jobs.ts';
import { createAdsService, type AdsService } from './modules/ads/ads.service.ts';
import { createAdsBilling, type AdsBilling } from './modules/ads/ads.billing.ts';
import { createAdsRuntime, type AdsRuntime } from './modules/ads/ads.runtime.ts';
import { createSponsoredChallenges, type SponsoredChallenges } from './modules/ads/sponsored-challenges.ts';
import { createAdMembers, type AdMembers } from './modules/ads/ads.members.ts';
import { createAdAudiences, type AdAudiences } from './modules/ads/ads.audiences.ts';
import { createAdInvoices, type AdInvoices } from './modules/ads/ads.invoices.ts';
import type { JobHandlers } from './platform/queue/jobs.ts';
import { FileStore } from '@tus/file-store';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Everything the process is made of, built by hand in one place (no DI container). */
export type AppContext = {
  config: Config;
  log: Logger;
  dbh: DbHandle;
  blob: BlobStore;
  mediaRoot: string | undefined;
  queue: JobQueue;
  clock: Clock;
  media: MediaRunner;
  mediaTools: FoundMediaTools;
  metrics: Metrics;
  identity: IdentityService;
  videosRepo: VideosRepo;
  videos: VideosService;
  social: SocialService;
  feed: FeedService;
  events: EventsService;
  recsys: RecsysService;
  ads: AdsService;
  adsBilling: AdsBilling;
  /** The ad server: fills the feed's ad slots, tracks, bills (modules/ads). */
  adsRuntime: AdsRuntime;
  /** Advertiser members, lookalike audiences and invoices (modules/ads). */
  adMembers: AdMembers;
  adAudiences: AdAudiences;
  adInvoices: AdInvoices;
  sponsoredChallenges: SponsoredChallenges;
  discovery: DiscoveryService;
  share: ShareService;
  analytics: AnalyticsService;
  notifications: NotificationsService;
  engagement: EngagementService;
  comments: CommentsService;
  ledger: LedgerService;
  wallet: WalletService;
  sounds: SoundsService;
  studio: StudioService;
  /** The embedded payment provider (the default; a Stripe adapter exists in modules/payments). */
  sandboxPayments: SandboxProvider | undefined;
  jobs: JobHandlers;
  /** Resumable-upload chunks (tus); abandoned ones expire after a day. */
  uploads: FileStore;
  uploadDir: string;
  close(): Promise<void>;
};

export type ContextOverrides = { dbh?: DbHandle; clock?: Clock; log?: Logger };

export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const log = overrides.log ?? pino({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const dbh =
    overrides.dbh ??
    (config.databaseUrl
      ? await openDb({ kind: 'postgres', url: config.databaseUrl })
      : await openDb({ kind: 'pglite', dataDir: path.join(config.dataDir, 'pg') }));
  const applied = await migrate(dbh.pool);
  if (applied.length) log.info({ applied }, 'database migrated');
  const mediaRoot = path.join(config.dataDir, 'media');
  const blob = createFsBlobStore(mediaRoot);
  const queue = await createPgBossQueue(dbh.pool, log);
  const tools = findMediaTools({ FFMPEG_PATH: config.ffmpegPath, FFPROBE_PATH: config.ffprobePath, PATH: process.env.PATH });
  const media = createMediaRunner(tools);
  const metrics = createMetrics();

  const identityRepo = createIdentityRepo(dbh.db);
  const identity = createIdentityService({ repo: identityRepo, blob, clock, sessionCacheMs: config.sessionCacheMs });
  const uploadDir = path.join(config.dataDir, 'uploads');
  await fs.mkdir(uploadDir, { recursive: true });
  const uploads = new FileStore({ directory: uploadDir, expirationPeriodInMilliseconds: 24 * 3600 * 1000 });
  const videosRepo = createVideosRepo(dbh.db);
  // The feed caches video views; the videos service tells it when one changes.
  const changed: ((id: string) => void)[] = [];
  const videos = createVideosService({ repo: videosRepo, blob, queue, media, onChanged: (id) => changed.forEach((f) => f(id)) });
  const recsys = createRecsysService({ db: dbh.db, clock, log });
  // Blocks, mutes and private accounts hide creators from a viewer's feeds (the social module decides).
  const feed = createFeedService({
    db: dbh.db,
    clock,
    log,
    videosRepo,
    videos,
    recsys,
    hiddenAuthors: (viewerId, authorIds) => social.hiddenAuthors(viewerId, authorIds),
    adSlots: (req) => adsRuntime.fill(req),
    followeesOf: (viewerId) => social.followeesOf(viewerId),
  });
  const ads = createAdsService({ db: dbh.db, videosRepo });
  const videoChanged = (id: string) => {
    feed.invalidate(id);
    adsRuntime.videoChanged(id);
    void recsys.refreshVideo(id).catch((err: unknown) => log.warn({ err, videoId: id }, 'recommender catalogue update failed'));
  };
  changed.push(videoChanged);
  const notifications = createNotificationsService({ db: dbh.db, blob, clock });
  const social = createSocialService({ db: dbh.db, identity, videosRepo, videos, notifications });
  // Blocks and mutes reach every API process at once (NOTIFY); PGlite is one process.
  const relationsSync = dbh.engine === 'postgres' ? await social.viewerRelations.syncAcrossProcesses(dbh.pool) : undefined;
  const engagement = createEngagementService({ db: dbh.db, social, notifications, videosRepo, videos });
  const comments = createCommentsService({ db: dbh.db, blob, clock, notifications });
  const events = createEventsService({ db: dbh.db, clock, metrics });
  // Search and Discover show sounds as the sounds module does (`sounds` is built further down; called later).
  const discovery = createDiscoveryService({ db: dbh.db, blob, clock, videosRepo, videos, soundDto: (r) => sounds.toDto(r) });
  const share = createShareService({ db: dbh.db, blob, clock, publicUrl: config.publicUrl, videosRepo, videos });
  const analytics = createAnalyticsService({ db: dbh.db, blob, clock });
  const ledger = createLedgerService({ db: dbh.db, clock });
  const ledgerJobs = createLedgerJobs({ ledger, log });
  // The sandbox delivers its webhooks from an outbox through a job, so they arrive late (and a retry can repeat them).
  const pokeDelivery = () =>
    void queue.send('payments.deliver', {}, { dedupKey: 'sandbox' }).catch((err: unknown) => log.warn({ err }, 'queueing webhook delivery failed'));
  const sandboxPayments = await createSandboxProvider({ db: dbh.db, clock });
  // Stripe when configured (STRIPE_SECRET_KEY + STRIPE_WEBHOOK_SECRET), otherwise the embedded sandbox.
  const payments = config.stripe ? createStripeProvider({ ...config.stripe, returnUrl: `${config.publicUrl}/wallet`, clock }) : sandboxPayments;
  const adsBilling = createAdsBilling({ db: dbh.db, clock, log, ledger, payments, onProviderActivity: pokeDelivery });
  const adsRuntime = createAdsRuntime({
    db: dbh.db,
    clock,
    log,
    billing: adsBilling,
    publicUrl: () => config.publicUrl,
    hydrate: async (ids) => new Map((await videosRepo.byIds(ids)).map((r) => [r.id, videos.toDto(r)])),
    interests: (userId) => recsys.engine.interestsOf(userId, 20),
    follows: async (followerId, creatorId) => (await social.followeesOf(followerId)).has(creatorId),
  });
  const adMembers = createAdMembers({ db: dbh.db, clock });
  // Lookalikes read the live recommender's interest vectors (a worker-only process loads its own copy first).
  let recsysLoaded = config.role !== 'worker';
  const adAudiences = createAdAudiences({ db: dbh.db, clock, log, vectors: () => recsys.engine, onChanged: () => adsRuntime.refresh() });
  const adInvoices = createAdInvoices({ db: dbh.db, clock, ledger, billing: adsBilling });
  const sponsoredChallenges = createSponsoredChallenges({ db: dbh.db, clock, billing: adsBilling });
  const wallet = createWalletService({
    db: dbh.db,
    clock,
    log,
    ledger,
    identity,
    videosRepo,
    payments,
    payouts: createSandboxPayoutProvider({ db: dbh.db }),
    onProviderActivity: pokeDelivery,
    // Advertiser top-ups share the payment provider and its webhooks.
    otherPayment: (provider, event) => adsBilling.providerEvent(provider, event),
    // Hooks for the notifications, moderation and comments modules (see docs/ledger.md, "Wallet").
    onGiftReceived: async (g) => {
      await notifications.notify({
        userId: g.creatorId,
        type: 'gift',
        actorId: g.senderId,
        videoId: g.videoId,
        commentId: g.commentId,
        text: `sent a ${g.catalogueId} (+${g.diamonds} diamonds)`,
        dedupKey: `gift:${g.giftId}`,
      });
    },
    hiddenFrom: async (viewerId, creatorId) => (await social.hiddenAuthors(viewerId, [creatorId])).has(creatorId),
    // Staff suspension (identity, migration 0015) until a moderation module owns bans.
    isBanned: (userId) => identity.isSuspended(userId),
    commentOnVideo: async (commentId, videoId) =>
      !!(await dbh.db
        .selectFrom('comments')
        .select('id')
        .where('id', '=', commentId)
        .where('video_id', '=', videoId)
        .where('hidden', '=', false)
        .executeTakeFirst()),
  });
  const videoJobs = createVideoJobs({
    repo: videosRepo,
    blob,
    media,
    metrics,
    log,
    queue,
    workRoot: path.join(config.dataDir, 'tmp', 'transcode'),
    // A published video's audio becomes a sound (the studio's sound library).
    onPublished: (id) => {
      videoChanged(id);
      void queue
        .send('sound.extract', { videoId: id }, { dedupKey: id })
        .catch((err: unknown) => log.warn({ err, videoId: id }, 'queueing sound extraction failed'));
    },
  });
  const sounds = createSoundsService({ db: dbh.db, blob, media, workRoot: path.join(config.dataDir, 'tmp', 'sounds') });
  const studio = createStudioService({ db: dbh.db, blob, queue, videosRepo, videos, sounds });
  const studioJobs = createStudioJobs({
    db: dbh.db,
    blob,
    media,
    log,
    studio,
    videos,
    sounds,
    notifications,
    workRoot: path.join(config.dataDir, 'tmp', 'render'),
  });
  const jobs: JobHandlers = {
    'video.transcode': (data, ctx) => videoJobs.transcode(data, ctx),
    'video.ladder': (data, ctx) => videoJobs.ladder(data, ctx),
    'video.transcode.dead': (data) => videoJobs.transcodeDead(data),
    'studio.render': (data, ctx) => studioJobs.render(data, ctx),
    'sound.extract': async ({ videoId }) => {
      await sounds.fromVideo(videoId);
    },
    'recsys.retrain': async () => {
      const r = await recsys.retrain();
      log.info(r, 'recommender retrained from the event log');
    },
    'ledger.expire': async () => {
      await ledgerJobs.expire();
    },
    'ledger.reconcile': async () => {
      await ledgerJobs.reconcile();
    },
    'payments.recover': async () => {
      const r = { ...(await wallet.recover()), topups: await adsBilling.recoverTopups() };
      if (r.purchases.redriven + r.purchases.failed + r.payouts.paid + r.payouts.failed + r.topups.redriven + r.topups.failed > 0)
        log.warn(r, 'payment intents left half-done by a crash were re-driven');
    },
    'payments.deliver': async () => {
      while ((await sandboxPayments.deliverDue(async (body, headers) => void (await wallet.handleWebhook('sandbox', body, headers)))) > 0);
    },
    'engagement.reconcile': async () => {
      const r = await engagement.reconcile();
      if (r.videos || r.comments) log.info(r, 'engagement counters corrected from their source rows');
    },
    'ads.lookalikes': async () => {
      if (!recsysLoaded) {
        await recsys.start({ follow: false });
        recsysLoaded = true;
      } else await recsys.sync();
      const n = await adAudiences.computeAll();
      if (n) log.info({ audiences: n }, 'lookalike audiences recomputed');
    },
    'maintenance.hourly': async () => {
      await feed.prune();
      await identityRepo.deleteExpiredSessions(clock.now());
      await uploads.deleteExpired();
    },
  };

  let closed = false;
  return {
    config,
    log,
    dbh,
    blob,
    mediaRoot,
    queue,
    clock,
    media,
    mediaTools: tools,
    metrics,
    identity,
    videosRepo,
    videos,
    social,
    feed,
    events,
    recsys,
    ads,
    adsBilling,
    adsRuntime,
    adMembers,
    adAudiences,
    adInvoices,
    sponsoredChallenges,
    discovery,
    share,
    analytics,
    notifications,
    engagement,
    comments,
    ledger,
    wallet,
    sounds,
    studio,
    sandboxPayments,
    jobs,
    uploads,
    uploadDir,
    async close() {
      if (closed) return;
      closed = true;
      notifications.stop();
      await adsRuntime.stop();
      await recsys.stop();
      await feed.flush();
      await relationsSync?.close();
      await queue.stop();
      await dbh.close();
    },
  };
}
