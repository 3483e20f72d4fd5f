import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Edl, type EdlInput } from '@flick/contracts';
import { findMediaTools } from '../server/src/media/ffmpeg-binaries.ts';
import { createMediaRunner, type MediaRunner } from '../server/src/media/media-runner.ts';
import { buildRenderPlan } from '../server/src/media/edl/edl-graph.ts';
import { DEJAVU } from '../server/src/modules/studio/studio.jobs.ts';
import { cpuLine, cpuMeter, parseArgs, round, targetLine, type BenchResult } from './lib/report.ts';

export const description = 'studio renders: a 15 s duet at 720×1280 and a 30 s three-clip timeline with text and a sound (wall time, realtime factor)';

const V = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

/** Phone-like sources (noise defeats the encoder's shortcuts), generated once and cached in the temp dir. */
async function source(media: MediaRunner, seconds: number, width: number, height: number, hz: number): Promise<string> {
  // prettier-ignore
  const args = (file: string) => [
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30`,
    '-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000`,
    '-vf', 'noise=alls=20:allf=t', '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-b:v', '8M', '-g', '60', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-movflags', '+faststart', file,
  ];
  const key = crypto
    .createHash('sha1')
    .update(JSON.stringify(args('x')))
    .digest('hex')
    .slice(0, 12);
  const file = path.join(os.tmpdir(), `flick-render-src-${key}.mp4`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp.mp4`;
    await media.run(args(tmp));
    fs.renameSync(tmp, file);
  }
  return file;
}

export async function run(argv: string[]): Promise<BenchResult> {
  const opts = parseArgs(argv);
  const preset = opts.preset ?? 'veryfast';
  const media = createMediaRunner(findMediaTools({ PATH: process.env.PATH }));
  const [a, b, c] = await Promise.all([source(media, 15, 720, 1280, 440), source(media, 15, 1080, 1920, 550), source(media, 12, 1280, 720, 660)]);
  const tune = path.join(os.tmpdir(), 'flick-render-tune.m4a');
  if (!fs.existsSync(tune)) await media.run(['-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=44100', '-t', '40', '-c:a', 'aac', tune]);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flick-render-bench-'));
  const m = (p: string, ms: number) => ({ path: p, durationMs: ms, hasAudio: true });

  const measure = async (name: string, input: EdlInput, inputs: Parameters<typeof buildRenderPlan>[1]) => {
    const plan = buildRenderPlan(Edl.parse(input), inputs, path.join(out, `${name}.mp4`), { preset });
    const cpu = cpuMeter();
    const t0 = performance.now();
    await media.run(plan.args, { durationMs: plan.durationMs });
    const wall = (performance.now() - t0) / 1000;
    const rt = wall / (plan.durationMs / 1000);
    const share = cpu();
    // On a shared, loaded machine the wall time says more about the neighbours than about us: ffmpeg's
    // own CPU time, spread over the cores, is what the render would take with the machine to itself.
    const cpuSeconds = (share.childrenPct / 100) * wall;
    const idleRt = cpuSeconds / os.cpus().length / (plan.durationMs / 1000);
    console.log(
      `${name}: ${plan.durationMs / 1000} s of ${plan.width}×${plan.height} in ${round(wall)} s wall → ${round(rt)}× realtime; ` +
        `ffmpeg CPU ${round(cpuSeconds)} s (≈ ${round(idleRt)}× realtime on an idle ${os.cpus().length}-core machine); ${cpuLine(share, 'ffmpeg')}`,
    );
    return {
      seconds: plan.durationMs / 1000,
      wallSeconds: round(wall),
      realtimeFactor: round(rt),
      ffmpegCpuSeconds: round(cpuSeconds),
      idleRealtimeFactorEstimate: round(idleRt),
      otherLoadPct: share.otherPct,
    };
  };

  try {
    const duet = await measure(
      'duet',
      {
        version: 1,
        layout: 'duet-side',
        output: { size: '720x1280', fit: 'letterbox' },
        tracks: [{ clips: [{ source: { videoId: V(1) }, inMs: 0, outMs: 15_000 }] }, { clips: [{ source: { videoId: V(2) }, inMs: 0, outMs: 15_000 }] }],
      },
      { clips: [[m(a, 15_000)], [m(b, 15_000)]], sounds: [], fonts: DEJAVU },
    );
    const timeline = await measure(
      'timeline',
      {
        version: 1,
        output: { size: '1080x1920', fit: 'crop' },
        color: 'warm',
        tracks: [
          {
            clips: [
              { source: { videoId: V(1) }, inMs: 2000, outMs: 12_000 },
              { source: { videoId: V(2) }, inMs: 0, outMs: 10_000 },
              { source: { videoId: V(3) }, inMs: 1000, outMs: 11_500, transition: { kind: 'crossfade', durationMs: 500 } },
            ],
          },
        ],
        text: [
          { content: 'Three clips, one story', startMs: 0, endMs: 5000, box: true },
          { content: '#flick', startMs: 20_000, endMs: 29_900, y: 0.85, size: 48 },
        ],
        originalVolume: 0.4,
        audio: [{ soundId: V(9), volume: 0.8, fadeInMs: 500, fadeOutMs: 1000 }],
      },
      { clips: [[m(a, 15_000), m(b, 15_000), m(c, 12_000)]], sounds: [{ path: tune, durationMs: 40_000 }], fonts: DEJAVU },
    );
    console.log(targetLine('duet realtime factor', duet.realtimeFactor, 1, '×'));
    return { bench: 'render', preset, cpus: os.cpus().length, duet, timeline, duetTargetMet: duet.realtimeFactor <= 1 };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
