// Times the transcode of a phone-like 30 s 1080×1920 clip: first rung alone, then the rest of the ladder.
// Usage: node server/src/media/ladder-bench.ts [firstPreset=veryfast] [restPreset=veryfast] [seconds=30] [existing source file]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findMediaTools } from './ffmpeg-binaries.ts';
import { ladderArgs, masterPlaylist, planLadder, posterArgs, renditionArgs, thumbnailsArgs } from './hls-ladder.ts';
import type { X264Preset } from './hls-ladder.ts';
import { createMediaRunner } from './media-runner.ts';
import { validateProbe } from './probe-rules.ts';

const [firstPreset = 'veryfast', restPreset = 'veryfast', secondsArg = '30', existing] = process.argv.slice(2);
const seconds = Number(secondsArg);
const tools = findMediaTools(process.env);
const runner = createMediaRunner(tools);
const dir = await mkdtemp(path.join(tmpdir(), 'flick-bench-'));
const time = async (label: string, fn: () => Promise<void>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(44)} ${s.toFixed(2)} s`);
  return s;
};

try {
  console.log(`tools: ${tools.source} ${tools.ffmpeg}`);
  const src = existing ?? path.join(dir, 'phone.mp4');
  // Temporal noise keeps the bitrate (and so decode cost) near a phone recording: ~14 Mbit/s High profile.
  if (!existing)
    await time('generate source (not part of the budget)', () =>
      // prettier-ignore
      runner.run([
      '-f', 'lavfi', '-i', 'testsrc2=size=1080x1920:rate=30,noise=alls=10:allf=t+u',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high',
      '-b:v', '14M', '-maxrate', '16M', '-bufsize', '28M', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', src,
    ]),
    );
  const verdict = validateProbe(await runner.probe(src));
  if (!verdict.ok) throw new Error(verdict.reason);
  const info = verdict.info;
  const ladder = planLadder(info);
  const out = path.join(dir, 'hls');
  for (const r of ladder) await mkdir(path.join(out, r.name), { recursive: true });
  const opts = { hasAudio: info.hasAudio, fps: info.fps };
  const [first, ...rest] = ladder;
  if (!first) throw new Error('empty ladder');
  const t1 = await time(`first rung ${first.name} (${firstPreset})`, () =>
    runner.run(renditionArgs(src, out, first, { ...opts, preset: firstPreset as X264Preset }), { durationMs: info.durationMs }),
  );
  await time('poster + thumbnails', async () => {
    await runner.run(posterArgs(src, path.join(dir, 'poster.jpg'), info));
    await runner.run(thumbnailsArgs(src, path.join(dir, 'thumb_%02d.jpg'), info));
  });
  const t2 = await time(`rest ${rest.map((r) => r.name).join('+')} (${restPreset})`, () =>
    runner.run(ladderArgs(src, out, rest, { ...opts, preset: restPreset as X264Preset }), { durationMs: info.durationMs }),
  );
  await writeFile(path.join(out, 'master.m3u8'), masterPlaylist(ladder, opts));
  console.log(`total transcode ${(t1 + t2).toFixed(2)} s for ${seconds} s of 1080×1920`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
