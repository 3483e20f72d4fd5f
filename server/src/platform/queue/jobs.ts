/** Every job the workers run, with its payload. A handler table typed from this map fails the typecheck when one is missing. */
export type JobPayloads = {
  /** Probe, transcode the lowest rung and the poster, publish: the video plays. Then queues video.ladder. */
  'video.transcode': { videoId: string };
  /** The higher rungs and thumbnails at low CPU priority, then the full master playlist. */
  'video.ladder': { videoId: string };
  /** Reached when a transcode or ladder job exhausted its retries (including a crash on the last attempt). */
  'video.transcode.dead': { videoId: string };
  /** Hourly: drop feed-session bookkeeping older than a day, expired sessions and abandoned tus uploads. */
  'maintenance.hourly': Record<string, never>;
  /** Daily: rebuild the recommender from the whole event log (replay + batch sweeps) and swap it in. */
  'recsys.retrain': Record<string, never>;
};
export type JobName = keyof JobPayloads;

export type JobContext = { id: string; attempt: number; maxAttempts: number; isLastAttempt: boolean };
export type JobHandler<K extends JobName> = (data: JobPayloads[K], ctx: JobContext) => Promise<void>;
export type JobHandlers = { [K in JobName]: JobHandler<K> };

export type JobPolicy = {
  retryLimit: number;
  retryDelaySeconds: number;
  retryBackoff: boolean;
  expireInSeconds: number;
  deadLetter?: JobName;
  /** Jobs with the same dedup key are not queued twice while one is waiting or running. */
  dedup: boolean;
  cron?: string;
  /** Workers per process for this job type: at least this many, or WORKER_CONCURRENCY if that is larger. */
  concurrency?: number;
};

export const jobPolicies: { [K in JobName]: JobPolicy } = {
  // Its own queue, so a new upload's first rendition never waits behind another video's full ladder.
  'video.transcode': {
    retryLimit: 2,
    retryDelaySeconds: 5,
    retryBackoff: true,
    expireInSeconds: 20 * 60,
    deadLetter: 'video.transcode.dead',
    dedup: true,
    concurrency: 2,
  },
  'video.ladder': { retryLimit: 2, retryDelaySeconds: 10, retryBackoff: true, expireInSeconds: 60 * 60, deadLetter: 'video.transcode.dead', dedup: true },
  'video.transcode.dead': { retryLimit: 3, retryDelaySeconds: 5, retryBackoff: true, expireInSeconds: 60, dedup: false },
  'recsys.retrain': { retryLimit: 1, retryDelaySeconds: 300, retryBackoff: false, expireInSeconds: 3600, dedup: true, cron: '30 4 * * *' },
  'maintenance.hourly': { retryLimit: 1, retryDelaySeconds: 60, retryBackoff: false, expireInSeconds: 300, dedup: true, cron: '17 * * * *' },
};
