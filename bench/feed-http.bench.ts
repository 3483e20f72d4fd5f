import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'kysely';
import type { Database } from '../server/src/platform/db/db.ts';
import { loadConfig } from '../server/src/config/env.ts';
import { createContext } from '../server/src/context.ts';
import { createServer } from '../server/src/server.ts';
import { createTestApp } from '../server/src/testing/harness.ts';
import type { AppContext } from '../server/src/context.ts';
import { IVT } from '../server/src/modules/ads/ads.runtime.ts';
import { runLoad, type LoadResult, type LoadSpec } from './lib/load.ts';
import { cpuLine, cpuMeter, parseArgs, round, targetLine, type BenchResult, type CpuShare } from './lib/report.ts';

export const description = 'GET /api/feed/for-you over loopback HTTP on a seeded catalog (10k videos); load from a child process';

/** Deterministic PRNG (mulberry32), so every run seeds the same catalog. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sampler over Zipf-like weights 1/(i+1)^s. */
function zipf(n: number, s: number, rnd: () => number): () => number {
  const cum: number[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) cum.push((sum += 1 / (i + 1) ** s));
  return () => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const TAGS =
  'fyp foryou viral dance comedy cooking recipe travel fitness gym running yoga pets dog cat music cover guitar diy crafts fashion ootd beauty makeup skincare gaming minecraft art drawing science tech coding books booktok football basketball soccer nature hiking camping cars photography motivation study asmr prank family baby wedding food streetfood coffee vegan'.split(
    ' ',
  );

/**
 * Insert `videos` ready public videos from `creators` users directly (like feed.test.ts does, in batches):
 * creators' output is Zipf-distributed, views log-normal with a per-creator fame factor, likes 1–12 % of
 * views, published uniformly over the last 30 days, 1–4 hashtags each (Zipf over ~300 tags).
 */
export async function seedCatalog(
  db: Database,
  opts: {
    videos: number;
    creators: number;
    seed?: number;
    /** false: skip the discovery trigger (search index) while inserting; the feed does not read it. */ searchIndex?: boolean;
  },
): Promise<{ byTag: Map<string, string[]>; ids: string[] }> {
  const byTag = new Map<string, string[]>();
  const ids: string[] = [];
  const rnd = prng(opts.seed ?? 42);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const users = Array.from({ length: opts.creators }, (_, i) => ({
    id: crypto.randomUUID(),
    username: `creator_${i}`,
    password_hash: 'seeded-not-a-hash',
    birthdate: '1994-06-01',
    display_name: `Creator ${i}`,
    avatar_key: i % 3 ? `avatars/creator_${i}.webp` : null,
    fame: Math.exp(gauss()),
  }));
  for (let i = 0; i < users.length; i += 500)
    await db
      .insertInto('users')
      .values(users.slice(i, i + 500).map(({ fame: _, ...u }) => u))
      .execute();

  const creatorOf = zipf(opts.creators, 0.8, rnd);
  const tagOf = zipf(TAGS.length + 250, 1.1, rnd);
  const tagName = (k: number) => TAGS[k] ?? `topic${k - TAGS.length}`;
  const now = Date.now();
  const rungs = [
    { name: '360p', width: 360, height: 640, bandwidth: 796_000 },
    { name: '540p', width: 540, height: 960, bandwidth: 1_528_000 },
    { name: '720p', width: 720, height: 1280, bandwidth: 2_628_000 },
    { name: '1080p', width: 1080, height: 1920, bandwidth: 4_628_000 },
  ];
  // 2,000 rows × 21 columns stays under the 65,535 bind parameters of one statement.
  const batch = 2000;
  if (opts.searchIndex === false) await sql`ALTER TABLE videos DISABLE TRIGGER videos_search_sync`.execute(db);
  for (let start = 0; start < opts.videos; start += batch) {
    const rows = [];
    const tags: { video_id: string; tag: string }[] = [];
    for (let i = start; i < Math.min(opts.videos, start + batch); i++) {
      const id = crypto.randomUUID();
      const user = users[creatorOf()]!;
      const at = new Date(now - rnd() * 30 * 86_400_000);
      const views = Math.min(50_000_000, Math.round(Math.exp(Math.log(1500) + 1.8 * gauss()) * user.fame));
      const mine = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => tagName(tagOf())))];
      ids.push(id);
      for (const tag of mine) {
        tags.push({ video_id: id, tag });
        let list = byTag.get(tag);
        if (!list) byTag.set(tag, (list = []));
        list.push(id);
      }
      rows.push({
        id,
        user_id: user.id,
        caption: `clip ${i} ${mine.map((t) => `#${t}`).join(' ')}`,
        visibility: 'public' as const,
        status: 'ready' as const,
        phase: 'ready' as const,
        progress: 100,
        source_key: `videos/${id}/source`,
        width: 1080,
        height: 1920,
        duration_ms: 5_000 + Math.round(rnd() * 55_000),
        has_audio: true,
        hls_key: `videos/${id}/hls/master.m3u8`,
        poster_key: `videos/${id}/poster.jpg`,
        renditions: JSON.stringify(rungs),
        thumbnails: JSON.stringify(Array.from({ length: 6 }, (_, k) => `videos/${id}/thumbs/thumb_0${k + 1}.jpg`)),
        view_count: views,
        like_count: Math.round(views * (0.01 + rnd() * 0.11)),
        created_at: at,
        published_at: at,
      });
    }
    await db.insertInto('videos').values(rows).execute();
    await db.insertInto('video_hashtags').values(tags).execute();
  }
  if (opts.searchIndex === false) await sql`ALTER TABLE videos ENABLE TRIGGER videos_search_sync`.execute(db);
  return { byTag, ids };
}

/**
 * `users` adult viewers with a signed-in session each and a watch history in the event log (what the
 * recommender learns from, as in `feed.bench.ts`): each has two favourite hashtags among the 60 most
 * used; of `history` videos seen, 70 % are from a favourite tag and watched to the end (20 % of those
 * liked), the rest random and skipped after 0.8 s; spread over the last 7 days. Returns the session
 * cookies (`flick_session=…`), one per viewer.
 */
export async function seedViewers(
  db: Database,
  opts: { users: number; history: number; byTag: Map<string, string[]>; ids: string[]; seed?: number },
): Promise<string[]> {
  const rnd = prng(opts.seed ?? 99);
  const now = Date.now();
  const tags = [...opts.byTag.entries()].sort((x, y) => y[1].length - x[1].length).slice(0, 60);
  const cookies: string[] = [];
  let events: { id: string; user_id: string; video_id: string; type: string; watch_ms: number | null; duration_ms: number; feed: string; created_at: Date }[] =
    [];
  const flushEvents = async () => {
    for (let i = 0; i < events.length; i += 5000)
      await db
        .insertInto('events')
        .values(events.slice(i, i + 5000))
        .execute();
    events = [];
  };
  for (let start = 0; start < opts.users; start += 1000) {
    const users = [];
    const sessions = [];
    for (let u = start; u < Math.min(opts.users, start + 1000); u++) {
      const id = crypto.randomUUID();
      const token = crypto.randomBytes(32).toString('base64url');
      users.push({ id, username: `viewer_${u}`, password_hash: 'seeded-not-a-hash', birthdate: '1990-03-01', display_name: `Viewer ${u}` });
      sessions.push({ id: crypto.createHash('sha256').update(token).digest('hex'), user_id: id, expires_at: new Date(now + 86_400_000), user_agent: 'bench' });
      cookies.push(`flick_session=${token}`);
      const fav = [tags[Math.floor(rnd() * tags.length)]![1], tags[Math.floor(rnd() * tags.length)]![1]];
      for (let k = 0; k < opts.history; k++) {
        const liked = rnd() < 0.7;
        const pool = liked ? fav[k % 2]! : opts.ids;
        const video_id = pool[Math.floor(rnd() * pool.length)]!;
        const at = now - 7 * 86_400_000 + ((k + rnd()) / opts.history) * 7 * 86_400_000;
        const ev = (type: string, watch_ms: number | null, dt: number) =>
          events.push({
            id: `b_${u}_${k}_${type}`,
            user_id: id,
            video_id,
            type,
            watch_ms,
            duration_ms: 20_000,
            feed: 'for-you',
            created_at: new Date(at + dt),
          });
        ev('impression', null, 0);
        if (liked) {
          ev('play', null, 100);
          ev('complete', 20_000, 20_000);
          if (rnd() < 0.2) ev('like', null, 20_500);
        } else ev('skip', 800, 800);
      }
    }
    await db.insertInto('users').values(users).execute();
    await db.insertInto('sessions').values(sessions).execute();
    if (events.length >= 20_000) await flushEvents();
  }
  await flushEvents();
  return cookies;
}

/**
 * `groups` live ad groups (5 per advertiser), each advertiser funded on the ledger, each ad approved on a
 * catalogue video: CPM bids 2–20 USD, large daily budgets, broad or country targeting, unrestricted (the
 * bench's anonymous viewers count as minors), half smooth- and half fast-paced.
 */
export async function seedAds(ctx: AppContext, groups: number, seed = 7): Promise<void> {
  const rnd = prng(seed);
  const db = ctx.dbh.db;
  const owner = await db.selectFrom('users').select('id').orderBy('created_at').limit(1).executeTakeFirstOrThrow();
  const videoIds = (await db.selectFrom('videos').select('id').where('status', '=', 'ready').limit(2000).execute()).map((v) => v.id);
  const perAdvertiser = 5;
  for (let a = 0; a * perAdvertiser < groups; a++) {
    const advertiserId = crypto.randomUUID();
    const campaignId = crypto.randomUUID();
    await db
      .insertInto('advertisers')
      .values({ id: advertiserId, name: `Brand ${a}`, created_by: owner.id })
      .execute();
    await db.insertInto('advertiser_members').values({ advertiser_id: advertiserId, user_id: owner.id, role: 'owner' }).execute();
    await db.insertInto('ad_campaigns').values({ id: campaignId, advertiser_id: advertiserId, name: 'Bench', objective: 'reach' }).execute();
    for (let g = 0; g < perAdvertiser && a * perAdvertiser + g < groups; g++) {
      const groupId = crypto.randomUUID();
      await db
        .insertInto('ad_groups')
        .values({
          id: groupId,
          campaign_id: campaignId,
          name: `Group ${g}`,
          start_at: new Date(Date.now() - 3_600_000),
          end_at: null,
          budget_period: 'daily',
          budget_micros: 10_000_000_000,
          pacing: rnd() < 0.5 ? 'smooth' : 'fast',
          bid_strategy: 'bid_cap',
          billing: 'CPM',
          bid_micros: Math.round(2_000_000 + rnd() * 18_000_000),
          targeting: JSON.stringify(rnd() < 0.5 ? {} : { countries: ['US', 'GB', 'FR'].slice(0, 1 + Math.floor(rnd() * 3)) }),
          frequency_cap: JSON.stringify(rnd() < 0.5 ? { max: 3, days: 1 } : null),
        })
        .execute();
      await db
        .insertInto('ads')
        .values({
          id: crypto.randomUUID(),
          ad_group_id: groupId,
          name: 'Spot',
          video_id: videoIds[Math.floor(rnd() * videoIds.length)]!,
          cta_text: 'Shop now',
          landing_url: 'https://shop.example/',
          review_status: 'approved',
        })
        .execute();
    }
    await ctx.adsBilling.creditPromotion(advertiserId, crypto.randomUUID(), 10_000_000, { bench: 'feed-http' });
  }
  await ctx.adsRuntime.refresh();
}

/**
 * The test harness's server (in-memory PGlite copied from a template, or a fresh PostgreSQL database
 * with DATABASE_URL), or with `onDisk` the production embedded setup: PGlite in a data directory.
 */
async function boot(
  onDisk: boolean,
): Promise<{ ctx: AppContext; db: Database; baseUrl: string; signIn(): Promise<string>; reloadCatalog(): Promise<void>; close(): Promise<void> }> {
  if (!onDisk) {
    // The production default for the session cache (the harness turns it off for tests that edit roles in SQL).
    const t = await createTestApp({ env: { LOG_LEVEL: 'silent', SESSION_CACHE_MS: '5000' } });
    return {
      ctx: t.ctx,
      db: t.ctx.dbh.db,
      baseUrl: t.baseUrl,
      signIn: async () => (await t.newUser()).cookie,
      reloadCatalog: () => t.ctx.recsys.reloadCatalog(),
      close: () => t.close(),
    };
  }
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-bench-'));
  const ctx = await createContext(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_DEMO: '0', PORT: '0' }));
  const app = await createServer(ctx, { webDist: null });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    ctx,
    db: ctx.dbh.db,
    baseUrl,
    reloadCatalog: () => ctx.recsys.reloadCatalog(),
    async signIn() {
      const body = JSON.stringify({ username: `viewer_${crypto.randomBytes(3).toString('hex')}`, password: 'correct horse battery', birthdate: '1995-04-01' });
      const res = await fetch(`${baseUrl}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('flick_session='));
      if (!res.ok || !cookie) throw new Error(`sign-up failed: ${res.status}`);
      return cookie.split(';')[0]!;
    },
    async close() {
      await app.close();
      await ctx.close();
      await fsp.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * --queries: count and time every SQL statement the server sends (by its text, parameters aside) during
 * each run — on PGlite each one runs on the server's only thread.
 */
const queryStats = new Map<string, { n: number; ms: number }>();
let countQueries = false;
function watchQueries() {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const orig = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : (q as { text?: string } | undefined)?.text;
    const r = orig.apply(this, args);
    if (!countQueries || !text || !(r instanceof Promise)) return r;
    const t0 = performance.now();
    const key = text
      .replace(/\s+/g, ' ')
      .replace(/\(\$\d+(, \$\d+)*\)/g, '($…)')
      .slice(0, 140);
    const done = () => {
      const s = queryStats.get(key) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += performance.now() - t0;
      queryStats.set(key, s);
    };
    r.then(done, done);
    return r;
  };
}
function printQueries(seconds: number) {
  const all = [...queryStats.entries()].sort((x, y) => y[1].ms - x[1].ms);
  const n = all.reduce((a, [, s]) => a + s.n, 0);
  const ms = all.reduce((a, [, s]) => a + s.ms, 0);
  console.log(`    SQL: ${n} statements (${round(n / seconds)}/s), ${round(ms)} ms from send to answer; the top ones:`);
  for (const [k, s] of all.slice(0, 8)) console.log(`      ${String(s.n).padStart(6)} × ${round(s.ms / s.n, 2)} ms = ${round(s.ms)} ms  ${k}`);
  queryStats.clear();
}

const line = (r: LoadResult) =>
  `${round(r.rps, 1)} req/s (${r.requests} in ${round(r.seconds, 1)} s) · latency ms p50 ${r.latency.p50} p90 ${r.latency.p90} p99 ${r.latency.p99} max ${r.latency.max} · errors ${r.errors} timeouts ${r.timeouts} non-2xx ${r.non2xx}`;
const figures = (r: LoadResult) => ({
  rps: round(r.rps, 1),
  p50: r.latency.p50,
  p90: r.latency.p90,
  p99: r.latency.p99,
  max: r.latency.max,
  errors: r.errors + r.timeouts,
  non2xx: r.non2xx,
});

export async function run(argv: string[]): Promise<BenchResult> {
  const a = parseArgs(argv);
  const videos = Number(a.videos ?? 10_000);
  const creators = Number(a.creators ?? 500);
  const rate = Number(a.rate ?? 500);
  const seconds = Number(a.seconds ?? 20);
  const maxSeconds = Number(a['max-seconds'] ?? 15);
  const targetP99 = 25;
  const engine = process.env.DATABASE_URL ? 'postgres' : a['pglite-dir'] ? 'pglite-dir' : 'pglite';
  /** --users=N: N signed-in viewers with a watch history (issue 3: 10,000); each new session is the next viewer. */
  const users = Number(a.users ?? 0);
  const history = Number(a.history ?? 20);

  const loadAvg = round(os.loadavg()[0]!);
  console.log(`machine: ${os.cpus().length} CPUs, 1-min load average before start ${loadAvg} (see the CPU split of each run for competing work)`);
  const t = await boot(engine === 'pglite-dir');
  try {
    let t0 = performance.now();
    const catalog = await seedCatalog(t.db, { videos, creators, searchIndex: false });
    // The seed bypasses the publish path, so tell the recommender about the catalogue: For You
    // (the default, personal mode) is then served by it; --mode=popular measures the baseline.
    await t.reloadCatalog();
    console.log(`feed-http on ${engine}: seeded ${videos} videos from ${creators} creators in ${round((performance.now() - t0) / 1000, 1)} s`);
    const headers: Record<string, string> = {};
    let cookies: string[] | undefined;
    if (users > 0) {
      t0 = performance.now();
      cookies = await seedViewers(t.db, { users, history, ...catalog });
      const seeded = performance.now();
      const learned = await t.ctx.recsys.sync();
      console.log(
        `seeded ${users} signed-in viewers with ${history} videos of history each in ${round((seeded - t0) / 1000, 1)} s; the recommender learned ${learned} events in ${round((performance.now() - seeded) / 1000, 1)} s`,
      );
    } else if (a.auth) headers.cookie = await t.signIn();
    const viewers = cookies
      ? `signed-in, ${cookies.length} viewers (a new session takes the next one)`
      : headers.cookie
        ? 'signed-in, one new viewer'
        : 'anonymous';
    console.log(`load: ${viewers}, generated in a child process (its own event loop; same 2 CPUs)`);
    const mode = a.mode === 'popular' ? 'popular' : 'personal';
    console.log(`For You mode: ${mode}${mode === 'personal' ? ' (the recommender)' : ' (non-personalised baseline)'}`);
    const feedPath = `/api/feed/for-you?limit=10&mode=${mode}`;
    const load = (s: Omit<LoadSpec, 'url' | 'path' | 'headers'>) => runLoad({ url: t.baseUrl, path: feedPath, headers, cookies, ...s });

    t0 = performance.now();
    await load({ mode: 'autocannon', connections: 10, seconds: 5 });
    await load({ mode: 'autocannon', connections: 10, seconds: 3, sessionPages: 5 });
    console.log(`warm-up: ${round((performance.now() - t0) / 1000, 1)} s`);

    // --profile=DIR: a CPU profile of this process (the server) during each timed run, written to DIR.
    let profiler: Session | undefined;
    if (a.profile) {
      await fsp.mkdir(a.profile, { recursive: true });
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    }
    if (a.queries) watchQueries();
    const cpuShares: Record<string, CpuShare & { loadAvg: number; serverCpuMsPerRequest: number; eventLoopP99Ms: number; eventLoopMaxMs: number }> = {};
    const runs = new Set((a.runs ?? 'fixed,paced,max,sessions,sessions-max').split(','));
    const skipped: LoadResult = {
      seconds: 0,
      requests: 0,
      rps: 0,
      errors: 0,
      timeouts: 0,
      non2xx: 0,
      latency: { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN },
      timeline: [],
    };
    /** The server's event-loop delay during a run: PGlite queries and JSON work all run on that one thread. */
    const eld = monitorEventLoopDelay({ resolution: 5 });
    eld.enable();
    const step = async (name: string, title: string, s: Omit<LoadSpec, 'url' | 'path' | 'headers'>) => {
      if (!runs.has(name)) return skipped;
      eld.reset();
      queryStats.clear();
      countQueries = !!a.queries;
      if (profiler) await profiler.post('Profiler.start');
      const meter = cpuMeter();
      const r = await load(s);
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        const file = path.join(a.profile!, `feed-http-${name}-${Date.now()}.cpuprofile`);
        await fsp.writeFile(file, JSON.stringify(profile));
        console.log(`    CPU profile of the server during the run: ${file}`);
      }
      countQueries = false;
      const cpu = {
        ...meter(),
        loadAvg: round(os.loadavg()[0]!),
        serverCpuMsPerRequest: 0,
        eventLoopP99Ms: round(eld.percentile(99) / 1e6, 1),
        eventLoopMaxMs: round(eld.max / 1e6, 1),
      };
      // Less noisy than latency on a shared machine: the server's CPU time per answered request.
      cpu.serverCpuMsPerRequest = round((cpu.serverPct * 10 * r.seconds) / Math.max(1, r.requests), 3);
      console.log(`${title}:\n    ${line(r)}`);
      if (a.timeline)
        for (const x of r.timeline)
          console.log(`      second ${String(x.second).padStart(2)}: ${String(x.count).padStart(5)} responses · p50 ${x.p50} p99 ${x.p99} max ${x.max} ms`);
      for (const p of r.pages ?? []) console.log(`      page ${p.page}: ${p.count} req · p50 ${p.p50} p90 ${p.p90} p99 ${p.p99} max ${p.max} ms`);
      console.log(
        `    server event-loop delay ms: p50 ${round(eld.percentile(50) / 1e6, 1)} p99 ${round(eld.percentile(99) / 1e6, 1)} max ${round(eld.max / 1e6, 1)}`,
      );
      console.log(`    ${cpuLine(cpu, 'load generator')}`);
      console.log(`    server CPU per request ${cpu.serverCpuMsPerRequest} ms; 1-min load average after the run ${cpu.loadAvg}`);
      if (a.queries) printQueries(r.seconds);
      cpuShares[cpuShares[name] ? `${name}Ads` : name] = cpu;
      if (s.rate) console.log(`    ${targetLine(`p99 at ${s.rate} req/s`, r.latency.p99, targetP99, 'ms')}`);
      return r;
    };
    console.log('');
    const fixed = await step('fixed', `(a) fixed rate, autocannon overallRate ${rate}, 50 connections, ${seconds} s`, {
      mode: 'autocannon',
      connections: 50,
      seconds,
      rate,
    });
    const paced = await step('paced', `(a') fixed rate, open loop (a request every ${round(1000 / rate, 1)} ms, up to 50 sockets), ${seconds} s`, {
      mode: 'paced',
      connections: 50,
      seconds,
      rate,
    });
    const max = await step('max', `(b) max throughput, autocannon 20 connections, ${maxSeconds} s`, {
      mode: 'autocannon',
      connections: 20,
      seconds: maxSeconds,
    });
    const sessFixed = await step('sessions', `(c) sessions of 5 pages following nextCursor, open loop at ${rate} req/s, ${seconds} s`, {
      mode: 'paced',
      connections: 50,
      seconds,
      rate,
      sessionPages: 5,
    });
    const sessMax = await step('sessions-max', `(d) sessions of 5 pages, max throughput, autocannon 20 connections, ${maxSeconds} s`, {
      mode: 'autocannon',
      connections: 20,
      seconds: maxSeconds,
      sessionPages: 5,
    });
    const fig = (r: LoadResult, extra: Record<string, unknown> = {}) => (r === skipped ? undefined : { ...extra, ...figures(r) });
    // With ads: the same open-loop runs again after seeding live ad groups, and the p99 ratio (target ≤ 1.2×).
    const adGroups = Number(a.ads ?? 0);
    let withAds: Record<string, unknown> | undefined;
    if (adGroups > 0) {
      // The load comes from one address: lift the per-address ad-opportunity limit (an invalid-traffic rule).
      IVT.opportunitiesPerHour = Number.POSITIVE_INFINITY;
      t0 = performance.now();
      await seedAds(t.ctx, adGroups);
      console.log(`\nseeded ${adGroups} live ad groups in ${round((performance.now() - t0) / 1000, 1)} s; the same runs with an ad slot every 8th position:`);
      const before = { ...t.ctx.adsRuntime.stats };
      const pacedAds = await step('paced', `(a') with ads: open loop at ${rate} req/s, ${seconds} s`, { mode: 'paced', connections: 50, seconds, rate });
      const sessAds = await step('sessions', `(c) with ads: sessions of 5 pages, open loop at ${rate} req/s, ${seconds} s`, {
        mode: 'paced',
        connections: 50,
        seconds,
        rate,
        sessionPages: 5,
      });
      const st = t.ctx.adsRuntime.stats;
      console.log(`    ads served ${st.served - before.served}, slots left organic (no eligible ad) ${st.noAd - before.noAd}`);
      const ratio = (x: LoadResult, y: LoadResult) => (x === skipped || y === skipped ? undefined : round(x.latency.p99 / y.latency.p99, 2));
      const rPaced = ratio(pacedAds, paced);
      const rSess = ratio(sessAds, sessFixed);
      if (rPaced !== undefined) console.log(`    p99 with ads / without, single pages: ${rPaced}× — target ≤ 1.2×: ${rPaced <= 1.2 ? 'met' : 'missed'}`);
      if (rSess !== undefined) console.log(`    p99 with ads / without, 5-page sessions: ${rSess}× — target ≤ 1.2×: ${rSess <= 1.2 ? 'met' : 'missed'}`);
      withAds = { adGroups, paced: fig(pacedAds), sessions: fig(sessAds), p99Ratio: { paced: rPaced, sessions: rSess }, served: st.served - before.served };
    }
    eld.disable();

    const broken = [fixed, paced, max, sessFixed, sessMax].some(
      (r) => r !== skipped && (r.requests === 0 || r.non2xx + r.errors + r.timeouts > r.requests * 0.01),
    );
    if (broken) throw new Error('more than 1 % of feed requests failed (see figures above)');
    return {
      bench: 'feed-http',
      engine,
      mode,
      videos,
      creators,
      auth: !!(headers.cookie || cookies),
      users,
      history: users ? history : undefined,
      fixedRate: fig(fixed, { targetRps: rate, generator: 'autocannon' }),
      fixedRatePaced: fig(paced, { targetRps: rate, generator: 'open-loop' }),
      max: fig(max),
      sessions:
        sessFixed === skipped && sessMax === skipped
          ? undefined
          : { pages: 5, fixedRate: fig(sessFixed, { targetRps: rate, generator: 'open-loop' }), max: fig(sessMax) },
      targetP99Ms: targetP99,
      met: fixed === skipped ? undefined : fixed.latency.p99 <= targetP99,
      pacedMet: paced === skipped ? undefined : paced.latency.p99 <= targetP99,
      withAds,
      cpu: cpuShares,
      loadAvgBefore: loadAvg,
    };
  } finally {
    await t.close();
  }
}
