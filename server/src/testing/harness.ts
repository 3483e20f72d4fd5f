import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { createClient, parseCaption, type Client, type Me } from '@flick/contracts';
import { loadConfig } from '../config/env.ts';
import { createContext, type AppContext } from '../context.ts';
import { createScratchDatabase, migrate, migrationsDir, openDb, type DbHandle } from '../platform/db/db.ts';
import { createServer, startWorker, type HttpOptions } from '../server.ts';
import { createPgBossQueue } from '../platform/queue/queue.ts';
import { jobPolicies } from '../platform/queue/jobs.ts';
import type { Clock } from '../platform/clock.ts';

/** A fresh database per test file: a copy of a migrated PGlite template, or a new database on the PostgreSQL in DATABASE_URL. */
export async function freshDb(): Promise<DbHandle & { drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const scratch = await createScratchDatabase(url, 'flick_t');
    const h = await openDb({ kind: 'postgres', url: scratch.url, max: 5 });
    return {
      ...h,
      async drop() {
        await h.close();
        await scratch.drop();
      },
    };
  }
  const h = await openDb({ kind: 'pglite', loadDataDir: await pgliteTemplate() });
  return { ...h, drop: () => h.close() };
}

/** initdb costs seconds; a migrated data dir, keyed by the migrations' content, is made once and copied per file. */
async function pgliteTemplate(): Promise<Blob> {
  const files = (await fsp.readdir(migrationsDir)).sort();
  const hash = crypto.createHash('sha1');
  for (const f of files) hash.update(f).update(await fsp.readFile(path.join(migrationsDir, f)));
  hash.update(JSON.stringify(jobPolicies)).update((await import('pg-boss/package.json', { with: { type: 'json' } })).default.version);
  const file = path.join(os.tmpdir(), `flick-pglite-template-${hash.digest('hex').slice(0, 12)}.tar.gz`);
  if (!fs.existsSync(file)) {
    const h = await openDb({ kind: 'pglite' });
    await migrate(h.pool);
    // pg-boss creates its own schema on first start; bake that into the template too.
    const q = await createPgBossQueue(h.pool, pino({ level: 'silent' }));
    await q.stop();
    const blob = await h.pglite!.dumpDataDir('gzip');
    await h.close();
    const tmp = `${file}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, Buffer.from(await blob.arrayBuffer()));
    await fsp.rename(tmp, file);
  }
  return new Blob([await fsp.readFile(file)]);
}

export type TestUser = { client: Client; me: Me; cookie: string; password: string };

export type TestApp = {
  ctx: AppContext;
  app: FastifyInstance;
  baseUrl: string;
  dataDir: string;
  anon: Client;
  newUser(opts?: { username?: string; birthdate?: string; displayName?: string }): Promise<TestUser>;
  /** A client that keeps the session cookie the server sets. */
  clientWithJar(): { client: Client; cookie(): string };
  startWorker(): Promise<void>;
  close(): Promise<void>;
};

export async function createTestApp(opts: { env?: Record<string, string>; http?: HttpOptions; worker?: boolean; clock?: Clock } = {}): Promise<TestApp> {
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    SEED_DEMO: '0',
    PORT: '0',
    SESSION_CACHE_MS: '0',
    ...opts.env,
  });
  const dbh = await freshDb();
  const ctx = await createContext(config, { dbh, log: pino({ level: config.logLevel }), clock: opts.clock });
  const app = await createServer(ctx, { webDist: null, authRateLimit: { max: 100_000, timeWindow: '1 minute' }, ...opts.http });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  let workerStarted = false;

  const clientWithJar = () => {
    let cookie = '';
    const client = createClient({
      baseUrl,
      headers: (): Record<string, string> => (cookie ? { cookie } : {}),
      onResponse: (res) => {
        const set = res.headers.getSetCookie();
        for (const c of set) {
          const [pair] = c.split(';');
          if (pair?.startsWith('flick_session=')) cookie = /Expires=Thu, 01 Jan 1970/.test(c) || pair === 'flick_session=' ? '' : pair;
        }
      },
    });
    return { client, cookie: () => cookie };
  };

  let n = 0;
  const t: TestApp = {
    ctx,
    app,
    baseUrl,
    dataDir,
    anon: createClient({ baseUrl }),
    clientWithJar,
    async newUser(u = {}) {
      const { client, cookie } = clientWithJar();
      const password = 'correct horse battery';
      const me = await client.call('signup', {
        body: {
          username: u.username ?? `user${process.pid % 1000}_${++n}_${crypto.randomBytes(2).toString('hex')}`,
          password,
          birthdate: u.birthdate ?? '1995-04-01',
          displayName: u.displayName,
        },
      });
      return { client, me, cookie: cookie(), password };
    },
    async startWorker() {
      if (workerStarted) return;
      workerStarted = true;
      await startWorker(ctx);
    },
    async close() {
      await app.close();
      await ctx.close();
      await dbh.drop();
      await fsp.rm(dataDir, { recursive: true, force: true });
    },
  };
  if (opts.worker) await t.startWorker();
  return t;
}

/** Poll until `check` returns a value (not undefined) or time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`);
}

/**
 * A ready video straight in the database (no transcode): for tests about feeds and ranking, where
 * the pipeline is beside the point. Hashtags are parsed from the caption, as an upload would.
 */
export async function insertReadyVideo(
  t: TestApp,
  v: { userId: string; caption: string; at: Date; visibility?: 'public' | 'followers' | 'private'; views?: number; durationMs?: number },
): Promise<string> {
  const id = crypto.randomUUID();
  await t.ctx.dbh.db
    .insertInto('videos')
    .values({
      id,
      user_id: v.userId,
      caption: v.caption,
      visibility: v.visibility ?? 'public',
      status: 'ready',
      phase: 'ready',
      progress: 100,
      hls_key: `videos/${id}/hls/master.m3u8`,
      renditions: '[]',
      thumbnails: '[]',
      duration_ms: v.durationMs ?? 10_000,
      created_at: v.at,
      published_at: v.at,
      view_count: v.views ?? 0,
    })
    .execute();
  const { hashtags } = parseCaption(v.caption);
  if (hashtags.length)
    await t.ctx.dbh.db
      .insertInto('video_hashtags')
      .values(hashtags.map((tag) => ({ video_id: id, tag })))
      .execute();
  return id;
}
