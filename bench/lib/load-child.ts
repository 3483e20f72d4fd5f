/**
 * Load generator process: `node load-child.ts '<LoadSpec JSON>'` (or `-` and the JSON on stdin) prints one LoadResult JSON line.
 * Latencies are measured here per request (float ms) for both modes, so the figures are comparable.
 */
import http from 'node:http';
import autocannon, { type Context, type Request } from 'autocannon';
import type { Latency, LoadResult, LoadSpec } from './load.ts';
import { percentile } from './report.ts';

type Base = Pick<LoadResult, 'seconds' | 'requests' | 'rps' | 'errors' | 'timeouts' | 'non2xx'>;
async function readSpec(): Promise<LoadSpec> {
  if (process.argv[2] !== '-') return JSON.parse(process.argv[2] ?? '') as LoadSpec;
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return JSON.parse(text) as LoadSpec;
}
const spec = await readSpec();
const pages = spec.sessionPages ?? 1;
const cookies = spec.cookies ?? [];
let sessionsStarted = 0;
/** The headers of a new session: the next viewer's cookie when the load is signed in. */
const sessionHeaders = (): Record<string, string> | undefined =>
  cookies.length ? { ...spec.headers, cookie: cookies[sessionsStarted++ % cookies.length]! } : spec.headers;
const lat: number[][] = Array.from({ length: pages }, () => []);
/** [completed at (ms since the first request), latency ms] of every response, for the per-second timeline. */
const done: [number, number][] = [];
let t0 = 0;
const sample = (page: number, ms: number) => {
  lat[page]!.push(ms);
  done.push([performance.now() - t0, ms]);
};
const pagePath = (cursor: string | undefined) =>
  cursor ? `${spec.path}${spec.path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : spec.path;
const nextCursor = (status: number, body: string): string | undefined => {
  if (status !== 200 || pages === 1) return undefined;
  return (JSON.parse(body) as { nextCursor?: string | null }).nextCursor ?? undefined;
};

function summary(xs: number[]): Latency {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    p50: r(percentile(s, 50)),
    p90: r(percentile(s, 90)),
    p99: r(percentile(s, 99)),
    max: r(s.at(-1) ?? NaN),
    mean: r(s.reduce((a, b) => a + b, 0) / (s.length || 1)),
  };
}

/** autocannon, closed loop: each connection sends its next request when the previous answers (`rate` caps requests per second). */
async function viaAutocannon(): Promise<Base> {
  t0 = performance.now();
  const requests: Request[] = lat.map((_, i) => ({
    method: 'GET',
    setupRequest: (req: Request, ctx: Context) => {
      if (i > 0 && typeof ctx.cursor !== 'string') return undefined; // the previous page failed: start a new session
      if (i === 0) ctx.headers = sessionHeaders();
      ctx.t0 = performance.now();
      const headers = ctx.headers as Record<string, string> | undefined;
      return { ...req, path: pagePath(i > 0 ? (ctx.cursor as string) : undefined), ...(headers ? { headers: { ...req.headers, ...headers } } : {}) };
    },
    onResponse: (status: number, body: string, ctx: Context) => {
      if (typeof ctx.t0 === 'number') sample(i, performance.now() - ctx.t0);
      ctx.cursor = nextCursor(status, body);
    },
  }));
  const r = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    // autocannon "corrects" rate-limited runs with an expected interval of ceil(1/rate) = 1 ms, which is meaningless
    // (our own per-request samples are used anyway).
    ...(spec.rate ? { overallRate: spec.rate, ignoreCoordinatedOmission: true } : {}),
    headers: spec.headers,
    requests,
  });
  return { seconds: r.duration, requests: r.requests.total, rps: r.requests.total / r.duration, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx };
}

/**
 * Open loop: request k is due at start + k/rate whatever happened before (a steady arrival rate, as
 * many independent users produce), on a keep-alive pool of `connections` sockets. Latency counts
 * from the due time, so waiting for a free socket or a late timer is included (no coordinated omission).
 * With sessionPages, a due request continues a waiting session (next page) if there is one, else starts one.
 */
async function paced(): Promise<Base> {
  const rate = spec.rate ?? 100;
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const waiting: { cursor: string; page: number; headers: Record<string, string> | undefined }[] = [];
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let inflight = 0;
  const start = (t0 = performance.now());
  const end = start + spec.seconds * 1000;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  let scheduled = 0;
  let stopped = false;
  const settle = () => {
    inflight--;
    if (stopped && inflight === 0) resolveAll();
  };
  const fire = (due: number) => {
    const next = waiting.shift();
    const page = next?.page ?? 0;
    const headers = next ? next.headers : sessionHeaders();
    inflight++;
    const req = http.get(spec.url + pagePath(next?.cursor), { agent, headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => {
        sample(page, performance.now() - due);
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) non2xx++;
        const c = nextCursor(status, body);
        if (c && page + 1 < pages) waiting.push({ cursor: c, page: page + 1, headers });
        settle();
      });
    });
    let timedOut = false;
    req.on('timeout', () => {
      timedOut = true;
      timeouts++;
      req.destroy(new Error('timeout'));
    });
    req.on('error', () => {
      if (!timedOut) errors++;
      settle();
    });
  };
  const tick = () => {
    const now = Math.min(performance.now(), end);
    for (let due = start + (scheduled * 1000) / rate; due <= now; due = start + (++scheduled * 1000) / rate) fire(due);
    if (performance.now() < end) return void setTimeout(tick, 1);
    stopped = true;
    if (inflight === 0) resolveAll();
  };
  tick();
  await all;
  agent.destroy();
  const seconds = (performance.now() - start) / 1000;
  return { seconds, requests: done.length, rps: done.length / seconds, errors, timeouts, non2xx };
}

const base = spec.mode === 'paced' ? await paced() : await viaAutocannon();
const result: LoadResult = {
  ...base,
  latency: summary(lat.flat()),
  timeline: Array.from({ length: Math.ceil(base.seconds) }, (_, sec) => {
    const xs = done.filter(([at]) => at >= sec * 1000 && at < (sec + 1) * 1000).map(([, ms]) => ms);
    return { second: sec + 1, count: xs.length, ...summary(xs) };
  }),
  ...(pages > 1 ? { pages: lat.map((xs, i) => ({ page: i + 1, count: xs.length, ...summary(xs) })) } : {}),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
