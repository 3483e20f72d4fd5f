import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Edl, EDL_MAX_MS, type EdlInput } from '@flick/contracts';
import { buildRenderPlan, checkEdl, clipTimelineMs, edlDurationMs, trackMs, type FontFiles, type RenderInputs } from './edl-graph.ts';
import { findMediaTools } from '../ffmpeg-binaries.ts';
import { createMediaRunner } from '../media-runner.ts';
import { makeClip } from '../../testing/clips.ts';
import { toneLevel } from '../../testing/tone-level.ts';

const fonts: FontFiles = { sans: '/f/sans.ttf', 'sans-bold': '/f/bold.ttf', serif: '/f/serif.ttf', mono: '/f/mono.ttf' };
const V1 = '00000000-0000-4000-8000-000000000001';
const V2 = '00000000-0000-4000-8000-000000000002';
const S1 = '00000000-0000-4000-8000-0000000000a1';
const S2 = '00000000-0000-4000-8000-0000000000a2';

const parse = (e: EdlInput) => Edl.parse(e);
const clip = (videoId: string, inMs: number, outMs: number, extra: Record<string, unknown> = {}) => ({ source: { videoId }, inMs, outMs, ...extra });
const media = (n: number, durationMs = 10_000, hasAudio = true): RenderInputs['clips'][number] =>
  Array.from({ length: n }, (_, i) => ({ path: `/m/src${i}.mp4`, durationMs, hasAudio }));
/** Field paths of a failed parse, joined with dots. */
const issuePaths = (e: unknown) => {
  const r = Edl.safeParse(e);
  assert.equal(r.success, false, 'expected the EDL to be refused');
  return r.error.issues.map((i) => i.path.join('.'));
};

describe('EDL schema', () => {
  it('fills defaults: 1080×1920 crop, speed 1, cut, sans-bold white text', () => {
    const e = parse({ version: 1, tracks: [{ clips: [clip(V1, 0, 1000)] }], text: [{ content: 'hi', startMs: 0, endMs: 500 }] });
    assert.deepEqual(e.output, { size: '1080x1920', fit: 'crop' });
    assert.equal(e.layout, 'single');
    assert.deepEqual(e.tracks[0]!.clips[0], { source: { videoId: V1 }, inMs: 0, outMs: 1000, speed: 1, transition: { kind: 'cut' }, volume: 1 });
    assert.equal(e.text[0]!.font, 'sans-bold');
    assert.equal(e.text[0]!.color, '#ffffff');
  });

  it('refuses negative and reversed ranges, naming the field', () => {
    assert.deepEqual(issuePaths({ version: 1, tracks: [{ clips: [clip(V1, -5, 1000)] }] }), ['tracks.0.clips.0.inMs']);
    assert.deepEqual(issuePaths({ version: 1, tracks: [{ clips: [clip(V1, 2000, 1000)] }] }), ['tracks.0.clips.0.outMs']);
    assert.deepEqual(issuePaths({ version: 1, tracks: [{ clips: [clip(V1, 0, 1000)] }], text: [{ content: 'x', startMs: 900, endMs: 100 }] }), [
      'text.0.endMs',
    ]);
  });

  it('refuses 200 tracks, unknown fonts, bad speeds and an EDL from a newer version', () => {
    const many = Array.from({ length: 200 }, () => ({ clips: [clip(V1, 0, 1000)] }));
    assert.ok(issuePaths({ version: 1, tracks: many }).includes('tracks'));
    assert.deepEqual(issuePaths({ version: 1, tracks: [{ clips: [clip(V1, 0, 1000)] }], text: [{ content: 'x', font: 'Comic Sans', startMs: 0, endMs: 1 }] }), [
      'text.0.font',
    ]);
    assert.deepEqual(issuePaths({ version: 1, tracks: [{ clips: [clip(V1, 0, 1000, { speed: 4 })] }] }), ['tracks.0.clips.0.speed']);
    const newer = Edl.safeParse({ version: 2, tracks: [{ clips: [clip(V1, 0, 1000)] }] });
    assert.equal(newer.success, false);
    assert.deepEqual(newer.error.issues[0]!.path, ['version']);
    assert.match(newer.error.issues[0]!.message, /newer version/);
  });

  it('a duet layout needs exactly two tracks; unknown keys are refused', () => {
    assert.deepEqual(issuePaths({ version: 1, layout: 'duet-side', tracks: [{ clips: [clip(V1, 0, 1000)] }] }), ['tracks']);
    assert.deepEqual(issuePaths({ version: 1, tracks: [{ clips: [clip(V1, 0, 1000)] }], extra: true }), ['']);
  });
});

describe('timeline arithmetic and checks', () => {
  it('speed shortens or stretches a clip; crossfades overlap', () => {
    assert.equal(clipTimelineMs({ inMs: 1000, outMs: 4000, speed: 2 }), 1500);
    assert.equal(clipTimelineMs({ inMs: 0, outMs: 1000, speed: 0.5 }), 2000);
    const e = parse({
      version: 1,
      tracks: [{ clips: [clip(V1, 0, 3000), clip(V2, 0, 2000, { transition: { kind: 'crossfade', durationMs: 500 } }), clip(V1, 0, 1000)] }],
    });
    assert.equal(trackMs(e.tracks[0]!), 3000 + 2000 - 500 + 1000);
    assert.equal(edlDurationMs(e), 5500);
  });

  it('out-of-bounds times, a too-long crossfade and a 50-minute total are named', () => {
    const e = parse({
      version: 1,
      tracks: [{ clips: [clip(V1, 0, 12_000), clip(V2, 0, 800, { transition: { kind: 'crossfade', durationMs: 900 } })] }],
      text: [{ content: 'late', startMs: 60_000, endMs: 61_000 }],
      audio: [{ soundId: S1, offsetMs: 50_000 }],
    });
    const issues = checkEdl(e, [[10_000, 10_000]], [30_000], EDL_MAX_MS);
    assert.deepEqual(
      issues.map((i) => i.path),
      ['tracks.0.clips.0.outMs', 'tracks.0.clips.1.transition.durationMs', 'text.0.startMs', 'audio.0.offsetMs'],
    );
    const long = parse({ version: 1, tracks: [{ clips: Array.from({ length: 50 }, () => clip(V1, 0, 60_000)) }] });
    const total = checkEdl(long, [Array.from({ length: 50 }, () => 3_600_000)], [], EDL_MAX_MS);
    assert.deepEqual(total, [{ path: 'tracks', message: 'the timeline lasts 3000 s; the limit is 600 s' }]);
  });
});

describe('buildRenderPlan', () => {
  it('a single cut: one seeked input per clip, normalised, concatenated', () => {
    const e = parse({ version: 1, output: { size: '720x1280', fit: 'crop' }, tracks: [{ clips: [clip(V1, 1000, 3000), clip(V2, 0, 1500)] }] });
    const plan = buildRenderPlan(e, { clips: [media(2)], sounds: [], fonts }, '/out/x.mp4');
    assert.equal(plan.durationMs, 3500);
    assert.deepEqual(plan.args.slice(0, 12), ['-ss', '1.000', '-t', '2.000', '-i', '/m/src0.mp4', '-ss', '0.000', '-t', '1.500', '-i', '/m/src1.mp4']);
    assert.equal(
      plan.filter,
      [
        '[0:v]trim=duration=2.000,setpts=PTS-STARTPTS,fps=30,scale=720:1280:force_original_aspect_ratio=increase,crop=720:1280,setsar=1,format=yuv420p,settb=AVTB,trim=duration=2.000[v0_0]',
        '[0:a]atrim=duration=2.000,asetpts=PTS-STARTPTS,aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,apad,atrim=duration=2.000[a0_0]',
        '[1:v]trim=duration=1.500,setpts=PTS-STARTPTS,fps=30,scale=720:1280:force_original_aspect_ratio=increase,crop=720:1280,setsar=1,format=yuv420p,settb=AVTB,trim=duration=1.500[v0_1]',
        '[1:a]atrim=duration=1.500,asetpts=PTS-STARTPTS,aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,apad,atrim=duration=1.500[a0_1]',
        '[v0_0][a0_0][v0_1][a0_1]concat=n=2:v=1:a=1[t0v1][t0a1]',
        '[t0v1]format=yuv420p[vout]',
        '[t0a1]atrim=duration=3.500[aout]',
      ].join(';\n'),
    );
    assert.equal(plan.args.at(-1), '/out/x.mp4');
    assert.ok(plan.args.includes('+bitexact'));
    assert.equal(plan.args[plan.args.indexOf('-t', 12) + 1], '3.500');
  });

  it('is deterministic: the same EDL and inputs give the same arguments', () => {
    const e = parse({ version: 1, tracks: [{ clips: [clip(V1, 0, 2000)] }], text: [{ content: 'a', startMs: 0, endMs: 1000 }] });
    const inputs = { clips: [media(1)], sounds: [], fonts };
    assert.deepEqual(buildRenderPlan(e, inputs, '/o.mp4'), buildRenderPlan(structuredClone(e), inputs, '/o.mp4'));
  });

  it('speed changes video timestamps and audio tempo; a silent source gets silence', () => {
    const e = parse({ version: 1, tracks: [{ clips: [clip(V1, 0, 3000, { speed: 2 }), clip(V2, 0, 1000, { speed: 0.5 })] }] });
    const plan = buildRenderPlan(e, { clips: [[media(1)[0]!, { path: '/m/silent.mp4', durationMs: 5000, hasAudio: false }]], sounds: [], fonts }, '/o.mp4');
    assert.equal(plan.durationMs, 1500 + 2000);
    assert.match(plan.filter, /\[0:v\]trim=duration=3\.000,setpts=PTS-STARTPTS,setpts=PTS\/2,fps=30/);
    assert.match(plan.filter, /\[0:a\]atrim=duration=3\.000,asetpts=PTS-STARTPTS,atempo=2,/);
    assert.match(plan.filter, /setpts=PTS\/0\.5,.*trim=duration=2\.000\[v0_1\]/);
    assert.match(plan.filter, /anullsrc=channel_layout=stereo:sample_rate=48000,.*atrim=duration=2\.000\[a0_1\]/);
    assert.doesNotMatch(plan.filter, /\[1:a\]/);
  });

  it('crossfades use xfade at the right offset and acrossfade; later cuts keep counting', () => {
    const e = parse({
      version: 1,
      tracks: [{ clips: [clip(V1, 0, 3000), clip(V2, 0, 2000, { transition: { kind: 'crossfade', durationMs: 500 } }), clip(V1, 5000, 6000)] }],
    });
    const plan = buildRenderPlan(e, { clips: [media(3)], sounds: [], fonts }, '/o.mp4');
    assert.match(plan.filter, /\[v0_0\]\[v0_1\]xfade=transition=fade:duration=0\.500:offset=2\.500\[t0v1\]/);
    assert.match(plan.filter, /\[a0_0\]\[a0_1\]acrossfade=d=0\.500\[t0a1\]/);
    assert.match(plan.filter, /\[t0v1\]\[t0a1\]\[v0_2\]\[a0_2\]concat=n=2:v=1:a=1\[t0v2\]\[t0a2\]/);
    assert.equal(plan.durationMs, 5500);
  });

  it('letterbox pads instead of cropping', () => {
    const e = parse({ version: 1, output: { size: '1080x1920', fit: 'letterbox' }, tracks: [{ clips: [clip(V1, 0, 1000)] }] });
    const plan = buildRenderPlan(e, { clips: [media(1)], sounds: [], fonts }, '/o.mp4');
    assert.match(plan.filter, /scale=1080:1920:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=1080:1920:\(ow-iw\)\/2:\(oh-ih\)\/2:color=black/);
  });

  it('a duet halves the cells, pads the shorter side, stacks and mixes both audios', () => {
    const e = parse({
      version: 1,
      layout: 'duet-side',
      output: { size: '720x1280', fit: 'letterbox' },
      tracks: [{ clips: [clip(V1, 0, 4000)] }, { clips: [clip(V2, 0, 3000)] }],
    });
    const plan = buildRenderPlan(e, { clips: [media(1), media(1)], sounds: [], fonts }, '/o.mp4');
    assert.equal(plan.durationMs, 4000);
    assert.match(plan.filter, /scale=360:1280:force_original_aspect_ratio=decrease/);
    assert.match(plan.filter, /\[t?v1_0\]tpad=stop_mode=add:stop_duration=1\.000:color=black,trim=duration=4\.000\[pv1\]/);
    assert.match(plan.filter, /\[a1_0\]apad,atrim=duration=4\.000\[pa1\]/);
    assert.match(plan.filter, /\[v0_0\]\[pv1\]hstack=inputs=2\[stack\]/);
    assert.match(plan.filter, /\[a0_0\]\[pa1\]amix=inputs=2:duration=longest:normalize=0\[duetmix\]/);
    const top = buildRenderPlan(Edl.parse({ ...e, layout: 'duet-top' }), { clips: [media(1), media(1)], sounds: [], fonts }, '/o.mp4');
    assert.match(top.filter, /scale=720:640:/);
    assert.match(top.filter, /vstack=inputs=2/);
  });

  it('text is escaped, scaled to the output, timed; colour presets apply before text', () => {
    const e = parse({
      version: 1,
      output: { size: '720x1280', fit: 'crop' },
      color: 'mono',
      tracks: [{ clips: [clip(V1, 0, 3000)] }],
      text: [{ content: "it's 50%: [a,b];\\", size: 90, color: '#ff0000', x: 0.5, y: 0.2, box: true, startMs: 500, endMs: 2000, font: 'mono' }],
    });
    const plan = buildRenderPlan(e, { clips: [media(1)], sounds: [], fonts }, '/o.mp4');
    const vout = plan.filter.split(';\n').find((c) => c.endsWith('[vout]'))!;
    assert.ok(vout.startsWith('[v0_0]hue=s=0,drawtext=fontfile=/f/mono.ttf:'), vout);
    assert.ok(vout.includes(String.raw`text=it\\\'s 50%\\: \[a\,b\]\;\\\\:expansion=none`), vout);
    assert.ok(vout.includes(':fontsize=60:fontcolor=0xff0000:x=w*0.5-text_w/2:y=h*0.2-text_h/2:box=1:boxcolor=black@0.5:boxborderw=15:'), vout);
    assert.ok(vout.includes("enable='between(t,0.500,1.999)'"), vout);
  });

  it('sounds are seeked, trimmed to the timeline, faded, delayed and mixed under the original audio', () => {
    const e = parse({
      version: 1,
      originalVolume: 0.3,
      tracks: [{ clips: [clip(V1, 0, 5000)] }],
      audio: [{ soundId: S1, atMs: 1000, offsetMs: 2000, volume: 0.8, fadeInMs: 300, fadeOutMs: 500 }],
    });
    const plan = buildRenderPlan(e, { clips: [media(1)], sounds: [{ path: '/m/sound.m4a', durationMs: 30_000 }], fonts }, '/o.mp4');
    assert.deepEqual(plan.args.slice(6, 12), ['-ss', '2.000', '-t', '4.000', '-i', '/m/sound.m4a']);
    assert.match(plan.filter, /volume=0\.3,apad/);
    assert.match(
      plan.filter,
      /\[1:a\]atrim=duration=4\.000,asetpts=PTS-STARTPTS,.*,volume=0\.8,afade=t=in:st=0:d=0\.300,afade=t=out:st=3\.500:d=0\.500,adelay=1000:all=1\[s0\]/,
    );
    assert.match(plan.filter, /\[a0_0\]\[s0\]amix=inputs=2:duration=first:dropout_transition=0:normalize=0,atrim=duration=5\.000\[aout\]/);
  });

  it('a library sound and a voice-over each keep their own place, level and fades, mixed under the original', () => {
    const e = parse({
      version: 1,
      tracks: [{ clips: [clip(V1, 0, 6000)] }],
      audio: [
        { soundId: S1, volume: 0.5, fadeOutMs: 500 },
        { soundId: S2, atMs: 2500, volume: 1.4, fadeInMs: 200, fadeOutMs: 1000 },
      ],
    });
    const plan = buildRenderPlan(
      e,
      {
        clips: [media(1)],
        sounds: [
          { path: '/m/song.m4a', durationMs: 60_000 },
          { path: '/m/voice.m4a', durationMs: 2000 },
        ],
        fonts,
      },
      '/o.mp4',
    );
    // The voice-over is read from its start for its own 2 s (shorter than what is left of the timeline).
    assert.deepEqual(plan.args.slice(12, 18), ['-ss', '0.000', '-t', '2.000', '-i', '/m/voice.m4a']);
    assert.match(plan.filter, /\[1:a\]atrim=duration=6\.000,asetpts=PTS-STARTPTS,[^\n]*,volume=0\.5,afade=t=out:st=5\.500:d=0\.500\[s0\]/);
    assert.match(
      plan.filter,
      /\[2:a\]atrim=duration=2\.000,asetpts=PTS-STARTPTS,[^\n]*,volume=1\.4,afade=t=in:st=0:d=0\.200,afade=t=out:st=1\.000:d=1\.000,adelay=2500:all=1\[s1\]/,
    );
    assert.match(plan.filter, /\[a0_0\]\[s0\]\[s1\]amix=inputs=3:duration=first:dropout_transition=0:normalize=0,atrim=duration=6\.000\[aout\]/);
  });

  it('a voice-over placed near the end is cut at the end of the timeline', () => {
    const e = parse({ version: 1, tracks: [{ clips: [clip(V1, 0, 3000)] }], audio: [{ soundId: S2, atMs: 2000, fadeOutMs: 5000 }] });
    const plan = buildRenderPlan(e, { clips: [media(1)], sounds: [{ path: '/m/voice.m4a', durationMs: 10_000 }], fonts }, '/o.mp4');
    assert.match(plan.filter, /\[1:a\]atrim=duration=1\.000,[^\n]*afade=t=out:st=0\.000:d=1\.000,adelay=2000:all=1\[s0\]/);
  });

  it('muting the original drops the source audio entirely', () => {
    const e = parse({ version: 1, originalVolume: 0, tracks: [{ clips: [clip(V1, 0, 1000)] }] });
    const plan = buildRenderPlan(e, { clips: [media(1)], sounds: [], fonts }, '/o.mp4');
    assert.doesNotMatch(plan.filter, /\[0:a\]/);
    assert.match(plan.filter, /anullsrc/);
  });

  it('refuses relative paths (a path like "concat:a|b" must never reach ffmpeg)', () => {
    const e = parse({ version: 1, tracks: [{ clips: [clip(V1, 0, 1000)] }] });
    assert.throws(() => buildRenderPlan(e, { clips: [[{ path: 'concat:a|b', durationMs: 5000, hasAudio: true }]], sounds: [], fonts }, '/o.mp4'), /absolute/);
  });
});

describe('buildRenderPlan with real ffmpeg', () => {
  const tools = findMediaTools({ PATH: process.env.PATH });
  const runner = createMediaRunner(tools);
  let dir = '';
  let a = '';
  let b = '';
  let tone = '';
  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'edl-graph-'));
    a = await makeClip(runner, dir, { seconds: 3, width: 180, height: 320, name: 'a.mp4' });
    b = await makeClip(runner, dir, { seconds: 2, width: 320, height: 180, withAudio: false, name: 'b.mp4' });
    tone = path.join(dir, 'tone.m4a');
    await runner.run(['-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=44100', '-t', '4', '-c:a', 'aac', tone]);
  });
  after(() => fsp.rm(dir, { recursive: true, force: true }));

  const realFonts = (): FontFiles => {
    const f = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
    return { sans: f, 'sans-bold': f, serif: f, mono: f };
  };

  it('renders a tricky timeline (speed, crossfade, silent source, text, sound) to the planned length, reproducibly', async () => {
    const e = parse({
      version: 1,
      output: { size: '720x1280', fit: 'letterbox' },
      color: 'vivid',
      tracks: [{ clips: [clip(V1, 500, 2500, { speed: 2 }), clip(V2, 0, 1500, { transition: { kind: 'crossfade', durationMs: 300 } })] }],
      text: [{ content: "Flick's [test]: 100%", startMs: 0, endMs: 1500, box: true }],
      audio: [{ soundId: S1, atMs: 200, fadeOutMs: 300, volume: 0.5 }],
    });
    const inputs = {
      clips: [
        [
          { path: a, durationMs: 3000, hasAudio: true },
          { path: b, durationMs: 2000, hasAudio: false },
        ],
      ],
      sounds: [{ path: tone, durationMs: 4000 }],
      fonts: realFonts(),
    };
    const out1 = path.join(dir, 'out1.mp4');
    const out2 = path.join(dir, 'out2.mp4');
    const plan = buildRenderPlan(e, inputs, out1, { preset: 'ultrafast' });
    assert.equal(plan.durationMs, 1000 + 1500 - 300);
    await runner.run(plan.args);
    const probe = await runner.probe(out1);
    const v = probe.streams.find((s) => s.codec_type === 'video')!;
    assert.equal(v.width, 720);
    assert.equal(v.height, 1280);
    assert.ok(probe.streams.some((s) => s.codec_type === 'audio'));
    assert.ok(Math.abs(Number(probe.format.duration) * 1000 - plan.durationMs) < 120, `duration ${probe.format.duration}`);
    await runner.run(buildRenderPlan(e, inputs, out2, { preset: 'ultrafast' }).args);
    assert.deepEqual(await fsp.readFile(out1), await fsp.readFile(out2), 'same EDL and sources give the same bytes');
  });

  it('a voice-over is heard in the render where it was placed, faded in, over the original audio', async () => {
    const voice = path.join(dir, 'voice.m4a');
    await runner.run(['-f', 'lavfi', '-i', 'sine=frequency=1500:sample_rate=48000', '-t', '1.5', '-c:a', 'aac', voice]);
    const e = parse({
      version: 1,
      output: { size: '720x1280' },
      tracks: [{ clips: [clip(V1, 0, 3000)] }],
      audio: [{ soundId: S2, atMs: 1000, volume: 2, fadeInMs: 400 }],
    });
    const out = path.join(dir, 'voice-out.mp4');
    const plan = buildRenderPlan(
      e,
      { clips: [[{ path: a, durationMs: 3000, hasAudio: true }]], sounds: [{ path: voice, durationMs: 1500 }], fonts: realFonts() },
      out,
      {
        preset: 'ultrafast',
      },
    );
    await runner.run(plan.args);
    const before = await toneLevel(runner, out, 1500, 100, 900);
    const fading = await toneLevel(runner, out, 1500, 1000, 1200);
    const full = await toneLevel(runner, out, 1500, 1500, 2400);
    const after = await toneLevel(runner, out, 1500, 2600, 2950);
    // The source's own 440 Hz tone plays throughout.
    const original = await toneLevel(runner, out, 440, 1500, 2400);
    assert.ok(before < 0.01, `no voice before 1 s (${before})`);
    assert.ok(full > 0.15, `the voice at twice its level (0.125 × 2) after its fade-in (${full})`);
    assert.ok(fading < full * 0.6, `quieter while fading in (${fading} vs ${full})`);
    assert.ok(after < 0.01, `nothing after the 1.5 s voice-over ends (${after})`);
    assert.ok(original > 0.08, `the original audio is still there (${original})`);
  });

  it('renders a duet', async () => {
    const e = parse({
      version: 1,
      layout: 'duet-top',
      output: { size: '720x1280', fit: 'crop' },
      tracks: [{ clips: [clip(V1, 0, 2000)] }, { clips: [clip(V2, 0, 1000)] }],
    });
    const out = path.join(dir, 'duet.mp4');
    const plan = buildRenderPlan(
      e,
      {
        clips: [[{ path: a, durationMs: 3000, hasAudio: true }], [{ path: b, durationMs: 2000, hasAudio: false }]],
        sounds: [],
        fonts: realFonts(),
      },
      out,
      { preset: 'ultrafast' },
    );
    await runner.run(plan.args);
    const probe = await runner.probe(out);
    assert.ok(Math.abs(Number(probe.format.duration) * 1000 - 2000) < 120);
  });
});
