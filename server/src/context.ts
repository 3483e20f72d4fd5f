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
import { createAdsService, type AdsService } from './modules/ads/ads.service.ts';
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
  const identity = createIdentityService({ repo: identityRepo, blob, clock });
  const uploadDir = path.join(config.dataDir, 'uploads');
  await fs.mkdir(uploadDir, { recursive: true });
  const uploads = new FileStore({ directory: uploadDir, expirationPeriodInMilliseconds: 24 * 3600 * 1000 });
  const videosRepo = createVideosRepo(dbh.db);
  // The feed caches video views; the videos service tells it when one changes.
  const changed: ((id: string) => void)[] = [];
  const videos = createVideosService({ repo: videosRepo, blob, queue, media, onChanged: (id) => changed.forEach((f) => f(id)) });
  const recsys = createRecsysService({ db: dbh.db, clock, log });
  const feed = createFeedService({ db: dbh.db, clock, log, videosRepo, videos, recsys });
  const ads = createAdsService({ db: dbh.db, videosRepo });
  const videoChanged = (id: string) => {
    feed.invalidate(id);
    void recsys.refreshVideo(id).catch((err: unknown) => log.warn({ err, videoId: id }, 'recommender catalogue update failed'));
  };
  changed.push(videoChanged);
  const social = createSocialService({ db: dbh.db, identity, videosRepo, videos });
  const events = createEventsService({ db: dbh.db, clock, metrics });
  const videoJobs = createVideoJobs({
    repo: videosRepo,
    blob,
    media,
    metrics,
    log,
    queue,
    workRoot: path.join(config.dataDir, 'tmp', 'transcode'),
    onPublished: videoChanged,
  });
  const jobs: JobHandlers = {
    'video.transcode': (data, ctx) => videoJobs.transcode(data, ctx),
    'video.ladder': (data, ctx) => videoJobs.ladder(data, ctx),
    'video.transcode.dead': (data) => videoJobs.transcodeDead(data),
    'recsys.retrain': async () => {
      const r = await recsys.retrain();
      log.info(r, 'recommender retrained from the event log');
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
    jobs,
    uploads,
    uploadDir,
    async close() {
      if (closed) return;
      closed = true;
      await recsys.stop();
      await feed.flush();
      await queue.stop();
      await dbh.close();
    },
  };
}
