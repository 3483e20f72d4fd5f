import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Logger } from 'pino';
import { jobPolicies, type JobHandlers, type JobName, type JobPayloads } from './jobs.ts';

export type SendOptions = { dedupKey?: string; startAfterSeconds?: number };

export type JobQueue = {
  send<K extends JobName>(name: K, data: JobPayloads[K], opts?: SendOptions): Promise<string | null>;
  /** Start consuming every job type with the given handlers. */
  work(handlers: JobHandlers, opts: { concurrency: number }): Promise<void>;
  /** Fail jobs left active by a process that died, so they retry now instead of after their expiry. Only safe when no other worker can be running (embedded mode). */
  recoverInterrupted(): Promise<number>;
  stop(): Promise<void>;
};

/** pg-boss over the same `pg` pool as the app, so it runs on PGlite and PostgreSQL alike. */
export async function createPgBossQueue(pool: pg.Pool, log: Logger): Promise<JobQueue> {
  const boss = new PgBoss({
    db: { executeSql: async (text: string, values: unknown[]) => pool.query(text, values) },
    schedule: true,
    supervise: true,
    maintenanceIntervalSeconds: 30,
  });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();
  for (const [name, p] of Object.entries(jobPolicies) as [JobName, (typeof jobPolicies)[JobName]][]) {
    const q = {
      name,
      policy: p.dedup ? ('stately' as const) : ('standard' as const),
      retryLimit: p.retryLimit,
      retryDelay: p.retryDelaySeconds,
      retryBackoff: p.retryBackoff,
      expireInSeconds: p.expireInSeconds,
      ...(p.deadLetter ? { deadLetter: p.deadLetter } : {}),
    };
    // Dead-letter targets must exist first; creation order in jobPolicies is not guaranteed to match.
    if (p.deadLetter && !(await boss.getQueue(p.deadLetter))) await boss.createQueue(p.deadLetter);
    if (await boss.getQueue(name)) await boss.updateQueue(name, q);
    else await boss.createQueue(name, q);
  }
  let stopped = false;
  return {
    async send(name, data, opts = {}) {
      return boss.send(name, data as object, {
        singletonKey: opts.dedupKey,
        startAfter: opts.startAfterSeconds,
      });
    },
    async work(handlers, { concurrency }) {
      for (const name of Object.keys(handlers) as JobName[]) {
        const p = jobPolicies[name];
        if (p.cron) await boss.schedule(name, p.cron, {}, { singletonKey: name });
        const handler = handlers[name] as (data: unknown, ctx: { id: string; attempt: number; maxAttempts: number; isLastAttempt: boolean }) => Promise<void>;
        for (let i = 0; i < concurrency; i++) {
          await boss.work(name, { pollingIntervalSeconds: 0.5, batchSize: 1, includeMetadata: true }, async ([job]) => {
            if (!job) return;
            const attempt = job.retryCount + 1;
            const maxAttempts = job.retryLimit + 1;
            log.debug({ job: name, id: job.id, attempt }, 'job start');
            try {
              await handler(job.data, { id: job.id, attempt, maxAttempts, isLastAttempt: attempt >= maxAttempts });
            } catch (err) {
              log.warn({ job: name, id: job.id, attempt, maxAttempts, error: (err as Error).message.slice(0, 500) }, 'job failed');
              throw err;
            }
          });
        }
      }
    },
    async recoverInterrupted() {
      const { rows } = await pool.query<{ id: string; name: string }>("SELECT id, name FROM pgboss.job WHERE state = 'active'");
      for (const r of rows) await boss.fail(r.name, r.id, { message: 'interrupted: the worker stopped while running this job' });
      return rows.length;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, wait: true, timeout: 15_000 });
    },
  };
}
