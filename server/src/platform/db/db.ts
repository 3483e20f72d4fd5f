import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DB } from './schema.ts';

export type Database = Kysely<DB>;

/** One code path for both engines: Kysely over a `pg` pool, which talks either to PGlite in-process or to a PostgreSQL server. */
export type DbHandle = {
  db: Database;
  pool: pg.Pool;
  engine: 'pglite' | 'postgres';
  pglite?: PGlite;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

// bigint counters come back as strings by default; they fit in a JS number for any realistic count.
pg.types.setTypeParser(20, (v) => Number(v));

export type OpenDbOptions = { kind: 'postgres'; url: string; max?: number } | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob };

export async function openDb(opts: OpenDbOptions): Promise<DbHandle> {
  let pool: pg.Pool;
  let pglite: PGlite | undefined;
  if (opts.kind === 'postgres') {
    pool = new pg.Pool({ connectionString: opts.url, max: opts.max ?? 10 });
  } else {
    if (opts.dataDir) await fs.mkdir(opts.dataDir, { recursive: true });
    pglite = await PGlite.create({
      dataDir: opts.dataDir,
      loadDataDir: opts.loadDataDir,
      extensions: { pg_trgm },
    });
    // PGlite is one connection: the pool must hand it to one client at a time and never drop it.
    pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, idleTimeoutMillis: 0 });
  }
  pool.on('error', () => {
    // An idle client's network error; the pool replaces it. Queries in flight still reject.
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const close = async () => {
    await db.destroy();
    if (pglite && !pglite.closed) await pglite.close();
  };
  return { db, pool, engine: opts.kind, pglite, close, [Symbol.asyncDispose]: close };
}

export const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Forward-only SQL migrations, applied in file-name order, each in its own transaction, under an advisory lock so several processes can start at once. */
export async function migrate(pool: pg.Pool, dir = migrationsDir): Promise<string[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(7277001)');
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      const text = await fs.readFile(path.join(dir, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(text);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7277001)').catch(() => undefined);
    client.release();
  }
  return applied;
}

/**
 * A new, empty database on the PostgreSQL server at `adminUrl`, named `<prefix>_<random>` (tests,
 * simulations, benchmarks); `drop()` removes it even while clients are still connected.
 */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
