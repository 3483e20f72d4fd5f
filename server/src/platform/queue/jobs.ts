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
  /** Hourly: recompute every lookalike audience from the recommender's current interest vectors. */
  'ads.lookalikes': Record<string, never>;
  /** Hourly: recompute likes/comments/saves counters from their source rows and fix drift. */
  'engagement.reconcile': Record<string, never>;
  /** Every minute: void the ledger's pending (two-phase) transfers whose timeout passed. */
  'ledger.expire': Record<string, never>;
  /** Every 10 minutes: reconcile the ledger (Σ debits = Σ credits, balances = transfers, limits) and store the report. */
  'ledger.reconcile': Record<string, never>;
  /** Deliver the sandbox payment provider's queued webhooks (signed, to the wallet's webhook handler). */
  'payments.deliver': Record<string, never>;
  /** Every minute and on worker start: re-drive payment intents a crash left half-done (purchases and top-ups never started, approved payouts not yet paid or recorded). */
  'payments.recover': Record<string, never>;
  /** Render a studio EDL (edit, duet, stitch, template) and hand the result to the upload pipeline. */
  'studio.render': { renderId: string };
  /** After a video is published: its audio becomes a sound (fingerprinted; re-uploads are linked to the original). */
  'sound.extract': { videoId: string };
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
  'engagement.reconcile': { retryLimit: 1, retryDelaySeconds: 60, retryBackoff: false, expireInSeconds: 900, dedup: true, cron: '41 * * * *' },
  'ads.lookalikes': { retryLimit: 1, retryDelaySeconds: 120, retryBackoff: false, expireInSeconds: 1800, dedup: true, cron: '23 * * * *' },
  'maintenance.hourly': { retryLimit: 1, retryDelaySeconds: 60, retryBackoff: false, expireInSeconds: 300, dedup: true, cron: '17 * * * *' },
  'payments.deliver': { retryLimit: 8, retryDelaySeconds: 2, retryBackoff: true, expireInSeconds: 120, dedup: true },
  'payments.recover': { retryLimit: 1, retryDelaySeconds: 30, retryBackoff: false, expireInSeconds: 300, dedup: true, cron: '* * * * *' },
  'studio.render': { retryLimit: 2, retryDelaySeconds: 5, retryBackoff: true, expireInSeconds: 30 * 60, dedup: true, concurrency: 1 },
  'sound.extract': { retryLimit: 2, retryDelaySeconds: 10, retryBackoff: true, expireInSeconds: 600, dedup: true },
  'ledger.expire': { retryLimit: 1, retryDelaySeconds: 30, retryBackoff: false, expireInSeconds: 300, dedup: true, cron: '* * * * *' },
  'ledger.reconcile': { retryLimit: 1, retryDelaySeconds: 60, retryBackoff: false, expireInSeconds: 600, dedup: true, cron: '*/10 * * * *' },
};
