import crypto from 'node:crypto';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Logger } from 'pino';
import { jobPolicies, type JobHandlers, type JobName, type JobPayloads } from './jobs.ts';

/** A lease not renewed for this long means its worker died. */
const LEASE_STALE_SECONDS = 60;
const HEARTBEAT_SECONDS = 10;

export type SendOptions = { dedupKey?: string; startAfterSeconds?: number };

export type JobQueue = {
  send<K extends JobName>(name: K, data: JobPayloads[K], opts?: SendOptions): Promise<string | null>;
  /** Start consuming every job type with the given handlers. */
  work(handlers: JobHandlers, opts: { concurrency: number }): Promise<void>;
  /** Fail over (so retry) active jobs whose worker stopped renewing its lease; runs at worker start and every 30 s. */
  recoverInterrupted(staleSeconds?: number): Promise<number>;
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
  const workerId = crypto.randomUUID();
  const running = new Set<string>();
  let heartbeat: NodeJS.Timeout | undefined;
  let sweeper: NodeJS.Timeout | undefined;

  async function recoverInterrupted(staleSeconds = LEASE_STALE_SECONDS) {
    // Active for a while, and no live lease: the process that took it is gone.
    const { rows } = await pool.query<{ id: string; name: string }>(
      `SELECT j.id, j.name FROM pgboss.job j
        WHERE j.state = 'active' AND j.started_on < now() - make_interval(secs => $1)
          AND NOT EXISTS (SELECT 1 FROM job_leases l WHERE l.job_id = j.id AND l.heartbeat_at > now() - make_interval(secs => $1))`,
      [staleSeconds],
    );
    for (const r of rows) {
      await boss.fail(r.name, r.id, { message: 'interrupted: the worker running this job stopped' });
      await pool.query('DELETE FROM job_leases WHERE job_id = $1', [r.id]);
      log.warn({ job: r.name, id: r.id }, 'failed over a job interrupted by a dead worker; it will retry');
    }
    return rows.length;
  }

  return {
    async send(name, data, opts = {}) {
      return boss.send(name, data as object, {
        singletonKey: opts.dedupKey,
        startAfter: opts.startAfterSeconds,
      });
    },
    async work(handlers, { concurrency }) {
      await recoverInterrupted();
      heartbeat = setInterval(() => {
        if (running.size)
          void pool
            .query('UPDATE job_leases SET heartbeat_at = now() WHERE worker_id = $1', [workerId])
            .catch((err: unknown) => log.warn({ err }, 'lease heartbeat failed'));
      }, HEARTBEAT_SECONDS * 1000);
      sweeper = setInterval(() => void recoverInterrupted().catch((err: unknown) => log.warn({ err }, 'lease sweep failed')), LEASE_STALE_SECONDS * 500);
      heartbeat.unref();
      sweeper.unref();
      for (const name of Object.keys(handlers) as JobName[]) {
        const p = jobPolicies[name];
        if (p.cron) await boss.schedule(name, p.cron, {}, { singletonKey: name });
        const handler = handlers[name] as (data: unknown, ctx: { id: string; attempt: number; maxAttempts: number; isLastAttempt: boolean }) => Promise<void>;
        for (let i = 0; i < Math.max(p.concurrency ?? 1, concurrency); i++) {
          await boss.work(name, { pollingIntervalSeconds: 0.5, batchSize: 1, includeMetadata: true }, async ([job]) => {
            if (!job) return;
            const attempt = job.retryCount + 1;
            const maxAttempts = job.retryLimit + 1;
            running.add(job.id);
            await pool.query(
              'INSERT INTO job_leases (job_id, name, worker_id) VALUES ($1, $2, $3) ON CONFLICT (job_id) DO UPDATE SET worker_id = $3, heartbeat_at = now()',
              [job.id, name, workerId],
            );
            try {
              await handler(job.data, { id: job.id, attempt, maxAttempts, isLastAttempt: attempt >= maxAttempts });
            } catch (err) {
              log.warn({ job: name, id: job.id, attempt, maxAttempts, error: (err as Error).message.slice(0, 500) }, 'job failed');
              throw err;
            } finally {
              running.delete(job.id);
              await pool.query('DELETE FROM job_leases WHERE job_id = $1', [job.id]).catch(() => undefined);
            }
          });
        }
      }
    },
    recoverInterrupted,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      clearInterval(sweeper);
      await boss.stop({ graceful: true, wait: true, timeout: 15_000 });
    },
  };
}
