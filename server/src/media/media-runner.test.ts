// Integration test: runs the real ffmpeg/ffprobe that findMediaTools picks (FFMPEG_PATH/FFPROBE_PATH to force a build).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoClipArgs, findFontFile, testClipArgs } from './demo-clips.ts';
import { findMediaTools } from './ffmpeg-binaries.ts';
import {
  codecsFor,
  ladderArgs,
  masterPlaylist,
  measureBandwidth,
  plannedBandwidth,
  planLadder,
  posterArgs,
  renditionArgs,
  thumbnailsArgs,
} from './hls-ladder.ts';
import type { Rendition } from './hls-ladder.ts';
import { createMediaRunner, FfmpegError, listFilters, ProbeError } from './media-runner.ts';
import type { MediaInfo, ProbeResult } from './media-types.ts';
import { validateProbe } from './probe-rules.ts';

const tools = findMediaTools(process.env);
const runner = createMediaRunner(tools);
let dir = '';
let clip = '';

async function probeInfo(file: string): Promise<MediaInfo> {
  const verdict = validateProbe(await runner.probe(file));
  assert.ok(verdict.ok, verdict.ok ? '' : `${verdict.code}: ${verdict.reason}`);
  return verdict.info;
}

/** profile_idc, constraint flags and level_idc of the first SPS in a segment, as in an avc1 codec string. */
async function spsCodec(tsFile: string): Promise<string> {
  const data = await readFile(tsFile);
  const at = data.indexOf(Buffer.from([0, 0, 1, 0x67]));
  assert.ok(at >= 0, `no SPS in ${tsFile}`);
  return `avc1.${data.subarray(at + 4, at + 7).toString('hex')}`;
}

/**
 * Probe an MPEG-TS output by remuxing it to MP4 first: the npm ffprobe (a 2023 static build)
 * segfaults on any MPEG-TS input on this machine, while both ffmpeg builds read it fine.
 */
async function probeViaMp4(input: string, extraInputArgs: string[] = [], map = ['-map', '0']): Promise<ProbeResult> {
  const out = path.join(dir, `remux-${Math.random().toString(36).slice(2)}.mp4`);
  await runner.run([...extraInputArgs, '-i', input, ...map, '-c', 'copy', out]);
  return runner.probe(out);
}

async function encodeLadder(input: string, out: string, info: MediaInfo, renditions: Rendition[]): Promise<void> {
  for (const r of renditions) await mkdir(path.join(out, r.name), { recursive: true });
  const [first, ...rest] = renditions;
  assert.ok(first);
  const opts = { hasAudio: info.hasAudio, fps: info.fps };
  await runner.run(renditionArgs(input, out, first, opts), { durationMs: info.durationMs });
  if (rest.length) await runner.run(ladderArgs(input, out, rest, opts), { durationMs: info.durationMs });
  await writeFile(path.join(out, 'master.m3u8'), masterPlaylist(renditions, opts));
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'flick-media-'));
  clip = path.join(dir, 'clip.mp4');
  await runner.run(testClipArgs(clip, { seconds: 4, width: 540, height: 960, withAudio: true }));
  console.log(`# media tools: ${tools.source} ${tools.ffmpeg} / ${tools.ffprobe}`);
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('media pipeline with real ffmpeg', () => {
  it('probes, transcodes the first rung then the rest, and writes a playable master', async () => {
    const info = await probeInfo(clip);
    assert.equal(info.width, 540);
    assert.equal(info.height, 960);
    assert.ok(Math.abs(info.durationMs - 4000) < 100, `duration ${info.durationMs}`);
    assert.equal(info.hasAudio, true);
    assert.equal(info.fps, 30);
    assert.equal(info.videoCodec, 'h264');

    const ladder = planLadder(info);
    assert.deepEqual(
      ladder.map((r) => `${r.name} ${r.width}x${r.height}`),
      ['360p 360x640', '540p 540x960'],
    );
    const out = path.join(dir, 'hls');
    const ratios: number[] = [];
    for (const r of ladder) await mkdir(path.join(out, r.name), { recursive: true });
    await runner.run(renditionArgs(clip, out, ladder[0]!, { hasAudio: true, fps: info.fps }), {
      durationMs: info.durationMs,
      onProgress: (x) => ratios.push(x),
    });
    assert.equal(ratios.at(-1), 1);
    assert.deepEqual(
      [...ratios].sort((a, b) => a - b),
      ratios,
      'progress is monotonic',
    );
    await runner.run(ladderArgs(clip, out, ladder.slice(1), { hasAudio: true, fps: info.fps }), { durationMs: info.durationMs });
    await writeFile(path.join(out, 'master.m3u8'), masterPlaylist(ladder, { hasAudio: true, fps: info.fps }));

    for (const r of ladder) {
      const playlist = await readFile(path.join(out, r.name, 'index.m3u8'), 'utf8');
      assert.match(playlist, /#EXT-X-PLAYLIST-TYPE:VOD/);
      assert.match(playlist, /#EXT-X-ENDLIST/);
      // Forced keyframes every 2 s: the muxer can cut exactly there.
      assert.deepEqual(playlist.match(/#EXTINF:[\d.]+/g), ['#EXTINF:2.000000', '#EXTINF:2.000000']);
      const segs = (await readdir(path.join(out, r.name))).filter((f) => f.endsWith('.ts')).sort();
      assert.deepEqual(segs, ['seg_000.ts', 'seg_001.ts']);
      // The CODECS we advertise is what x264 actually wrote.
      assert.equal(await spsCodec(path.join(out, r.name, 'seg_000.ts')), codecsFor(r, info.fps).split(',')[0]);
      const sizes = (uri: string) => statSync(path.join(out, r.name, uri)).size;
      const measured = measureBandwidth(playlist, sizes);
      console.log(`# ${r.name}: measured peak ${measured.peak} avg ${measured.average} vs planned ${JSON.stringify(plannedBandwidth(r))}`);
    }

    // ffmpeg's HLS demuxer exposes one program per variant of our hand-written master playlist.
    const variants: string[] = [];
    for (const i of ladder.keys()) {
      const p = await probeViaMp4(path.join(out, 'master.m3u8'), [], ['-map', `0:p:${i}`]);
      const v = p.streams.find((st) => st.codec_type === 'video');
      assert.ok(p.streams.some((st) => st.codec_type === 'audio'));
      assert.ok(Math.abs(Number(p.format.duration) - 4) < 0.1);
      variants.push(`${v?.width}x${v?.height}`);
    }
    assert.deepEqual(variants, ['360x640', '540x960']);
  });

  it('gives audio-less sources a silent track and decimates 60 fps to 30', async () => {
    const src = path.join(dir, 'silent60.mp4');
    await runner.run(testClipArgs(src, { seconds: 2, width: 720, height: 1280, withAudio: false, fps: 60 }));
    const info = await probeInfo(src);
    assert.equal(info.hasAudio, false);
    assert.equal(info.fps, 60);
    const ladder = planLadder(info);
    assert.deepEqual(
      ladder.map((r) => `${r.name} ${r.width}x${r.height}`),
      ['360p 360x640', '540p 540x960', '720p 720x1280'],
    );
    const out = path.join(dir, 'silent-hls');
    await encodeLadder(src, out, info, ladder);
    for (const r of ladder.slice(1)) {
      const p = await probeViaMp4(path.join(out, r.name, 'seg_000.ts'));
      assert.deepEqual(p.streams.map((st) => st.codec_type).sort(), ['audio', 'video'], `${r.name} has the silent track too`);
    }
    const seg = await probeViaMp4(path.join(out, '360p', 'seg_000.ts'));
    const audio = seg.streams.find((s) => s.codec_type === 'audio');
    const video = seg.streams.find((s) => s.codec_type === 'video');
    assert.equal(audio?.codec_name, 'aac');
    assert.equal(audio?.['channels'], 2);
    assert.equal(video?.avg_frame_rate, '30/1');
    for (const r of ladder) {
      const playlist = await readFile(path.join(out, r.name, 'index.m3u8'), 'utf8');
      const total = (playlist.match(/#EXTINF:([\d.]+)/g) ?? []).reduce((sum, l) => sum + Number(l.slice(8)), 0);
      assert.ok(Math.abs(total - 2) < 0.1, `${r.name}: the silent track must not outlast the video (total ${total})`);
    }
  });

  it('honours rotation metadata end to end', async () => {
    // A phone held upright: landscape pixels plus a 90° display matrix. Encoders ignore the rotate tag, remuxing honours it.
    const plain = path.join(dir, 'landscape.mp4');
    const src = path.join(dir, 'rotated.mp4');
    await runner.run(testClipArgs(plain, { seconds: 1, width: 320, height: 180, withAudio: false }));
    await runner.run(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', src]);
    const info = await probeInfo(src);
    assert.deepEqual([info.width, info.height], [180, 320]);
    const [r] = planLadder(info);
    assert.ok(r);
    assert.deepEqual([r.width, r.height], [180, 320]);
    const out = path.join(dir, 'rotated-hls');
    await encodeLadder(src, out, info, [r]);
    const seg = await probeViaMp4(path.join(out, r.name, 'seg_000.ts'));
    const v = seg.streams.find((s) => s.codec_type === 'video');
    assert.deepEqual([v?.width, v?.height], [180, 320], 'ffmpeg autorotates before our scale');
  });

  it('writes a poster and evenly spaced thumbnails', async () => {
    const info = await probeInfo(clip);
    const poster = path.join(dir, 'poster.jpg');
    await runner.run(posterArgs(clip, poster, info));
    const p = validateProbe(await runner.probe(poster));
    assert.deepEqual(p.ok ? null : p.code, 'not_a_video', 'a poster is a still image');
    const ps = (await runner.probe(poster)).streams[0];
    assert.deepEqual([ps?.width, ps?.height], [406, 720]);
    await runner.run(thumbnailsArgs(clip, path.join(dir, 'thumb_%02d.jpg'), info));
    const thumbs = (await readdir(dir)).filter((f) => f.startsWith('thumb_')).sort();
    assert.deepEqual(thumbs, ['thumb_01.jpg', 'thumb_02.jpg', 'thumb_03.jpg', 'thumb_04.jpg', 'thumb_05.jpg', 'thumb_06.jpg']);
    const t = (await runner.probe(path.join(dir, 'thumb_01.jpg'))).streams[0];
    assert.deepEqual([t?.width, t?.height], [180, 320]);
  });

  it('renders demo clips with awkward titles (drawtext escaping)', async () => {
    const font = findFontFile();
    const filters = await listFilters(tools.ffmpeg);
    const out = path.join(dir, 'demo.mp4');
    const title = `It's 100%: a\\b, [ok]; "done"`;
    await runner.run(
      demoClipArgs(out, { seconds: 1, width: 320, height: 568, title, subtitle: 'x:y', pattern: 'gradients', toneHz: 440, fontFile: font }, filters),
    );
    const info = await probeInfo(out);
    assert.deepEqual([info.width, info.height, info.hasAudio], [320, 568, true]);
  });

  describe('rejects bad uploads', () => {
    const expectUnreadable = async (file: string) => {
      await assert.rejects(runner.probe(file), (err: unknown) => err instanceof ProbeError && err.code === 'unreadable' && err.message.length > 0);
    };

    it('a text file renamed .mp4', async () => {
      const f = path.join(dir, 'notes.mp4');
      await writeFile(f, 'hello, this is definitely not a video\n'.repeat(50));
      await expectUnreadable(f);
    });

    it('an HLS playlist disguised as .mp4 (would read local files)', async () => {
      const f = path.join(dir, 'evil.mp4');
      await writeFile(f, `#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n${clip}\n#EXT-X-ENDLIST\n`);
      await expectUnreadable(f);
    });

    it('a zero-byte file', async () => {
      const f = path.join(dir, 'empty.mp4');
      await writeFile(f, '');
      await expectUnreadable(f);
    });

    it('a missing file', async () => {
      await expectUnreadable(path.join(dir, 'nope.mp4'));
    });

    it('a truncated mp4 (first 30% of the bytes), moov at the end', async () => {
      const full = path.join(dir, 'tail-moov.mp4');
      await runner.run(testClipArgs(full, { seconds: 4, width: 320, height: 240, withAudio: true, faststart: false }));
      const f = path.join(dir, 'cut-tail-moov.mp4');
      const bytes = await readFile(full);
      await writeFile(f, bytes.subarray(0, Math.floor(bytes.length * 0.3)));
      await expectUnreadable(f);
    });

    it('a truncated mp4 (first 30% of the bytes), moov at the front', async () => {
      const f = path.join(dir, 'cut-faststart.mp4');
      const bytes = await readFile(clip);
      await writeFile(f, bytes.subarray(0, Math.floor(bytes.length * 0.3)));
      const v = validateProbe(await runner.probe(f));
      assert.equal(v.ok ? 'ok' : v.code, 'truncated');
    });

    it('a PNG image', async () => {
      const f = path.join(dir, 'image.png');
      await runner.run(['-f', 'lavfi', '-i', 'color=c=red:s=320x240', '-frames:v', '1', f]);
      const v = validateProbe(await runner.probe(f));
      assert.equal(v.ok ? 'ok' : v.code, 'not_a_video');
    });

    it('a PNG renamed .mp4', async () => {
      const f = path.join(dir, 'image-renamed.mp4');
      await writeFile(f, await readFile(path.join(dir, 'image.png')));
      const v = validateProbe(await runner.probe(f));
      assert.equal(v.ok ? 'ok' : v.code, 'not_a_video');
    });

    it('a 16000×16000 video', async () => {
      // Encoding 16000² for real needs ~3 GB of RAM, so encode 4000² MJPEG and patch both the Matroska
      // PixelWidth/PixelHeight elements and the JPEG SOF0 headers: the probe sees a 16000² stream.
      const small = path.join(dir, 'big4000.mkv');
      await runner.run(['-f', 'lavfi', '-i', 'color=c=blue:s=4000x4000:r=1', '-t', '2', '-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', small]);
      let bytes = Buffer.from(await readFile(small));
      const patch = (from: number[], to: number[]) => {
        const needle = Buffer.from(from);
        let at = bytes.indexOf(needle);
        assert.ok(at >= 0, `pattern ${needle.toString('hex')} not found`);
        for (; at >= 0; at = bytes.indexOf(needle, at + 1)) Buffer.from(to).copy(bytes, at);
      };
      patch([0xb0, 0x82, 0x0f, 0xa0], [0xb0, 0x82, 0x3e, 0x80]);
      patch([0xba, 0x82, 0x0f, 0xa0], [0xba, 0x82, 0x3e, 0x80]);
      patch([0xff, 0xc0, 0x00, 0x11, 0x08, 0x0f, 0xa0, 0x0f, 0xa0], [0xff, 0xc0, 0x00, 0x11, 0x08, 0x3e, 0x80, 0x3e, 0x80]);
      const f = path.join(dir, 'big16000.mkv');
      await writeFile(f, bytes);
      bytes = Buffer.alloc(0);
      const v = validateProbe(await runner.probe(f));
      assert.equal(v.ok ? 'ok' : v.code, 'dimensions_too_large');
      assert.match(v.ok ? '' : v.reason, /16000×16000/);
    });
  });

  describe('runner', () => {
    it('rejects with FfmpegError carrying the stderr tail', async () => {
      const err = await runner.run(['-i', path.join(dir, 'does-not-exist.mp4'), '-f', 'null', '-']).then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof FfmpegError);
      assert.equal(err.name, 'FfmpegError');
      assert.equal(err.exitCode, 1);
      assert.match(err.message, /does-not-exist\.mp4: No such file or directory/);
    });

    it('kills ffmpeg on abort', async () => {
      const ac = new AbortController();
      const started = Date.now();
      const out = path.join(dir, 'aborted.mp4');
      const job = runner.run(testClipArgs(out, { seconds: 600, width: 1280, height: 720, withAudio: false }), {
        durationMs: 600_000,
        signal: ac.signal,
        onProgress: () => ac.abort(new Error('user cancelled')),
      });
      await assert.rejects(job, /user cancelled/);
      assert.ok(Date.now() - started < 5000, 'aborted promptly');
    });

    it('rejects at once when the signal is already aborted', async () => {
      await assert.rejects(runner.run(['-version'], { signal: AbortSignal.abort() }), { name: 'AbortError' });
    });

    it('times out a probe', async () => {
      // A FIFO nobody writes to blocks ffprobe forever.
      const fifo = path.join(dir, 'stuck.mp4');
      execFileSync('mkfifo', [fifo]);
      await assert.rejects(runner.probe(fifo, { timeoutMs: 300 }), /timed out/);
      assert.ok(existsSync(fifo) && (await stat(fifo)).isFIFO());
    });
  });
});
