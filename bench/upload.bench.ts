import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Video } from '@flick/contracts';
import { testClipArgs } from '../server/src/media/demo-clips.ts';
import { findMediaTools } from '../server/src/media/ffmpeg-binaries.ts';
import { createMediaRunner, type MediaRunner } from '../server/src/media/media-runner.ts';
import { createTestApp, type TestApp, type TestUser } from '../server/src/testing/harness.ts';
import { cpuLine, cpuMeter, parseArgs, round, sleep, targetLine, type BenchResult, type CpuShare } from './lib/report.ts';

export const description = 'upload a 30 s 1080×1920 clip: time to first playable rendition and to the full HLS ladder';

type Source = 'testsrc2' | 'noisy';
const TARGET_FIRST_SECONDS = 8;
const POLL_MS = 100;

/**
 * testsrc2 (ultrafast, what the tests upload) is trivially cheap to decode and encode; `noisy` adds
 * temporal noise and is encoded like a phone camera (High profile, CABAC, ~12 Mbit/s), which is
 * closer to the work real footage costs.
 */
function clipArgs(source: Source, file: string, seconds: number, width: number, height: number): string[] {
  if (source === 'testsrc2') return testClipArgs(file, { seconds, width, height, withAudio: true });
  // prettier-ignore
  return [
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-vf', 'noise=alls=20:allf=t', '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-b:v', '12M', '-maxrate', '16M', '-bufsize', '24M', '-g', '60', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-movflags', '+faststart', file,
  ];
}

/** Generated once per spec and kept in the temp dir: generation is not what we measure. */
async function clip(media: MediaRunner, source: Source, seconds: number, width: number, height: number): Promise<string> {
  const key = crypto
    .createHash('sha1')
    .update(JSON.stringify(clipArgs(source, 'x', seconds, width, height)))
    .digest('hex')
    .slice(0, 10);
  const file = path.join(os.tmpdir(), `flick-bench-${source}-${width}x${height}-${seconds}s-${key}.mp4`);
  if (!fs.existsSync(file)) {
    const t0 = performance.now();
    const tmp = `${file}.${process.pid}.tmp.mp4`;
    await media.run(clipArgs(source, tmp, seconds, width, height));
    fs.renameSync(tmp, file);
    console.log(`generated ${path.basename(file)} in ${round((performance.now() - t0) / 1000, 1)} s (not measured)`);
  }
  return file;
}

type Step = { what: string; from: number; to: number };

/**
 * Time the server's own steps by wrapping the shared MediaRunner, BlobStore and VideosRepo objects
 * (the upload route and the transcode job call them through these references).
 */
function instrument(t: TestApp, clock: { t0: number }, steps: Step[]): void {
  const wrap = <T extends object, K extends keyof T>(obj: T, key: K, label: (...args: never[]) => string) => {
    const orig = obj[key] as (...args: unknown[]) => Promise<unknown>;
    (obj as Record<K, unknown>)[key] = async (...args: unknown[]) => {
      const from = performance.now() - clock.t0;
      try {
        return await orig.apply(obj, args);
      } finally {
        steps.push({ what: (label as (...a: unknown[]) => string)(...args), from, to: performance.now() - clock.t0 });
      }
    };
  };
  wrap(t.ctx.media, 'probe', () => 'ffprobe');
  wrap(t.ctx.media, 'run', (args: string[]) => {
    if (args.includes('hls'))
      return `ffmpeg encode ${args
        .filter((a) => a.endsWith('index.m3u8'))
        .map((a) => path.basename(path.dirname(a)))
        .join('+')}`;
    return args.includes('-update') ? 'ffmpeg poster' : args.includes('-start_number') ? 'ffmpeg thumbnails' : 'ffmpeg';
  });
  wrap(t.ctx.blob, 'putFile', (key: string) => `blob putFile ${key.split('/').slice(2).join('/') || key}`);
  wrap(t.ctx.blob, 'putBuffer', (key: string) => `blob putBuffer ${key.split('/').slice(2).join('/')}`);
  wrap(
    t.ctx.videosRepo,
    'update',
    (_id: string, patch: Record<string, unknown>) =>
      `db update ${
        Object.entries(patch)
          .filter(([k]) => k === 'phase' || k === 'status')
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ') || Object.keys(patch).join(',')
      }`,
  );
}

/** The master playlist plays: fetchable, and some variant's first segment answers 200. Returns the variant names. */
async function playable(baseUrl: string, hlsUrl: string, all = false): Promise<string[] | undefined> {
  const masterUrl = new URL(hlsUrl, baseUrl);
  const master = await fetch(masterUrl);
  if (!master.ok) return undefined;
  const variants = (await master.text()).split('\n').filter((l) => l && !l.startsWith('#'));
  let ok = 0;
  for (const v of variants) {
    const mediaUrl = new URL(v, masterUrl);
    const media = await fetch(mediaUrl);
    const seg = media.ok ? (await media.text()).split('\n').find((l) => l && !l.startsWith('#')) : undefined;
    if (seg && (await fetch(new URL(seg, mediaUrl)).then(async (r) => (await r.arrayBuffer(), r.ok)))) ok++;
    if (ok && !all) break;
  }
  return ok && (!all || ok === variants.length) ? variants.map((v) => v.split('/')[0]!) : undefined;
}

type Measured = {
  source: Source;
  clipSeconds: number;
  width: number;
  height: number;
  sourceMB: number;
  uploadSeconds: number;
  firstPlayableSeconds: number;
  fullLadderSeconds: number;
  firstRealtimeFactor: number;
  fullRealtimeFactor: number;
  renditions: string[];
  met: boolean;
  /** Server steps before the first rendition was published, seconds from upload start. */
  steps: Step[];
  progressWrites: number;
  cpu?: CpuShare;
  /** With --uploads=N: the other N-1 uploads that started at the same moment. */
  concurrent?: { firstPlayableSeconds: number; fullLadderSeconds: number }[];
};

async function measure(
  t: TestApp,
  u: TestUser,
  file: string,
  source: Source,
  clipSeconds: number,
  width: number,
  height: number,
  timeSteps = true,
): Promise<Measured> {
  const clock = { t0: 0 };
  const steps: Step[] = [];
  if (timeSteps) instrument(t, clock, steps);
  const form = new FormData();
  form.set('caption', `bench upload ${source} #bench`);
  form.set('file', await fs.openAsBlob(file, { type: 'video/mp4' }), path.basename(file));
  clock.t0 = performance.now();
  const secs = () => (performance.now() - clock.t0) / 1000;
  const res = await fetch(`${t.baseUrl}/api/videos`, { method: 'POST', headers: { cookie: u.cookie }, body: form });
  const accepted = (await res.json()) as { id?: string; error?: { message: string } };
  if (res.status !== 202 || !accepted.id) throw new Error(`upload failed: ${res.status} ${JSON.stringify(accepted)}`);
  const uploadSeconds = secs();
  let first: number | undefined;
  let done: Video | undefined;
  while (!done) {
    if (secs() > 900) throw new Error('no full ladder after 15 minutes');
    const v = await u.client.call('video', { params: { id: accepted.id } });
    if (v.status === 'failed') throw new Error(`transcode failed: ${v.error ?? ''}`);
    if (first === undefined && v.status === 'ready' && v.hlsUrl && (await playable(t.baseUrl, v.hlsUrl))) first = secs();
    if (v.phase === 'ready') done = v;
    else await sleep(POLL_MS);
  }
  const full = secs();
  const listed = await playable(t.baseUrl, done.hlsUrl!, true);
  if (first === undefined || !listed || listed.join() !== done.renditions.join()) {
    throw new Error(`full ladder not playable: master lists ${listed?.join(',') ?? 'nothing playable'}, video lists ${done.renditions.join(',')}`);
  }
  const firstPublished = steps.find((s) => s.what.includes('status=ready'))?.to ?? Infinity;
  return {
    source,
    clipSeconds,
    width,
    height,
    sourceMB: round(fs.statSync(file).size / 1048576, 1),
    uploadSeconds: round(uploadSeconds),
    firstPlayableSeconds: round(first),
    fullLadderSeconds: round(full),
    firstRealtimeFactor: round(clipSeconds / first),
    fullRealtimeFactor: round(clipSeconds / full),
    renditions: done.renditions,
    met: first <= TARGET_FIRST_SECONDS,
    steps: steps
      .filter((s) => s.from <= firstPublished && s.what !== 'db update progress')
      .sort((x, y) => x.from - y.from)
      .map((s) => ({ what: s.what, from: round(s.from / 1000), to: round(s.to / 1000) })),
    progressWrites: steps.filter((s) => s.from <= firstPublished && s.what === 'db update progress').length,
  };
}

function print(m: Measured): void {
  console.log(`\n${m.source}: ${m.clipSeconds} s ${m.width}×${m.height}, ${m.sourceMB} MB`);
  console.log(`  upload (POST answered, includes the server's probe + store + enqueue): ${m.uploadSeconds} s`);
  console.log(`  first playable rendition: ${m.firstPlayableSeconds} s  (realtime ×${m.firstRealtimeFactor})`);
  console.log(`  full ladder (${m.renditions.join(', ')}): ${m.fullLadderSeconds} s  (realtime ×${m.fullRealtimeFactor})`);
  console.log(`  ${targetLine('first', m.firstPlayableSeconds, TARGET_FIRST_SECONDS, 's')}`);
  if (!m.steps.length) return;
  console.log(`  where the time to the first rendition went (s from upload start; ${m.progressWrites} progress writes omitted):`);
  const row = (from: number, to: number, what: string) => console.log(`    ${from.toFixed(2).padStart(6)} → ${to.toFixed(2).padStart(6)}  ${what}`);
  let prev = 0;
  for (const s of m.steps) {
    if (prev <= m.uploadSeconds && s.from > m.uploadSeconds) {
      row(prev, m.uploadSeconds, '(upload response on its way)');
      row(m.uploadSeconds, s.from, '(waiting for the queue to hand out the job: pg-boss polls every 0.5 s)');
    } else if (s.from > prev + 0.05) row(prev, s.from, prev === 0 ? '(request body streaming to the server’s disk)' : '(gap)');
    row(s.from, s.to, s.what);
    prev = Math.max(prev, s.to);
  }
  row(prev, m.firstPlayableSeconds, `(client notices: polls every ${POLL_MS} ms, then fetches master, media playlist, first segment)`);
}

export async function run(argv: string[]): Promise<BenchResult> {
  const a = parseArgs(argv);
  const seconds = Number(a.seconds ?? 30);
  const [width, height] = (a.size ?? '1080x1920').split('x').map(Number) as [number, number];
  const sources: Source[] = a.source === 'testsrc2' || a.source === 'noisy' ? [a.source] : ['testsrc2', 'noisy'];
  const uploads = Math.max(1, Number(a.uploads ?? 1));
  const media = createMediaRunner(findMediaTools({}));
  const files = new Map<Source, string>();
  for (const s of sources) files.set(s, await clip(media, s, seconds, width, height));

  const loadAvg = round(os.loadavg()[0]!);
  console.log(`machine: ${os.cpus().length} CPUs, 1-min load average before start ${loadAvg} (see the CPU split of each run for competing work)`);
  const results: Measured[] = [];
  for (const s of sources) {
    // A fresh server per clip, so one clip's leftovers (thumbnails, a late poll) cannot slow the next.
    const t = await createTestApp({ worker: true, env: { LOG_LEVEL: 'silent' } });
    try {
      const users = await Promise.all(Array.from({ length: uploads }, () => t.newUser()));
      console.log(
        `upload on ${t.ctx.dbh.engine}, ${os.cpus().length} CPUs, ffmpeg ${t.ctx.mediaTools.ffmpeg}, worker concurrency ${t.ctx.config.workerConcurrency}`,
      );
      const meter = cpuMeter();
      // Several creators uploading at once: everyone starts together; steps are timed for a lone upload only.
      const all = await Promise.all(users.map((u) => measure(t, u, files.get(s)!, s, seconds, width, height, uploads === 1)));
      const cpu = meter();
      // With several uploads, the headline figures are the slowest one's (the worst a creator waits).
      const [m, ...more] = [...all].sort((x, y) => y.firstPlayableSeconds - x.firstPlayableSeconds) as [Measured, ...Measured[]];
      if (uploads > 1) console.log(`\n${uploads} uploads started at the same moment, by different creators; the slowest:`);
      print(m);
      for (const o of more) console.log(`  another upload: first playable ${o.firstPlayableSeconds} s, full ladder ${o.fullLadderSeconds} s`);
      console.log(`  ${cpuLine(cpu, 'ffmpeg/ffprobe')}${cpu.otherPct > 20 ? ' — other work competed for the CPUs: figures are pessimistic' : ''}`);
      m.cpu = cpu;
      if (more.length) m.concurrent = more.map((o) => ({ firstPlayableSeconds: o.firstPlayableSeconds, fullLadderSeconds: o.fullLadderSeconds }));
      results.push(m);
    } finally {
      await t.close();
    }
  }
  const [main, ...others] = results as [Measured, ...Measured[]];
  const brief = ({ steps, progressWrites: _, ...m }: Measured) => ({
    ...m,
    firstSteps: Object.fromEntries(
      steps.filter((s) => s.what.startsWith('ffmpeg') || s.what === 'ffprobe').map((s, i) => [`${i + 1}. ${s.what}`, round(s.to - s.from)]),
    ),
  });
  return {
    bench: 'upload',
    engine: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    ...brief(main),
    uploads,
    targetFirstSeconds: TARGET_FIRST_SECONDS,
    loadAvgBefore: loadAvg,
    ...Object.fromEntries(others.map((m) => [m.source, brief(m)])),
  };
}
