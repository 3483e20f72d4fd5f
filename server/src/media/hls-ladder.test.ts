import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  codecsFor,
  h264Level,
  ladderArgs,
  masterPlaylist,
  measureBandwidth,
  outputFps,
  planLadder,
  plannedBandwidth,
  posterArgs,
  renditionArgs,
  thumbnailsArgs,
} from './hls-ladder.ts';
import type { Rendition } from './hls-ladder.ts';
import type { MediaInfo } from './media-types.ts';

const info = (width: number, height: number, extra: Partial<MediaInfo> = {}): MediaInfo => ({
  width,
  height,
  durationMs: 30_000,
  hasAudio: true,
  fps: 30,
  videoCodec: 'h264',
  ...extra,
});
const sizes = (rs: Rendition[]) => rs.map((r) => `${r.name} ${r.width}x${r.height}`);
/** The value following a flag; for flags given per output, the first occurrence. */
const flag = (args: string[], name: string, from = 0) => args[args.indexOf(name, from) + 1];

describe('planLadder', () => {
  it('portrait 1080×1920 gets all four rungs, portrait-shaped', () => {
    const ladder = planLadder(info(1080, 1920));
    assert.deepEqual(sizes(ladder), ['360p 360x640', '540p 540x960', '720p 720x1280', '1080p 1080x1920']);
    assert.deepEqual(ladder[0], { name: '360p', width: 360, height: 640, videoBitrateK: 700, maxrateK: 1050, bufsizeK: 1575, audioBitrateK: 96 });
    assert.deepEqual(
      ladder.map((r) => r.videoBitrateK),
      [700, 1400, 2500, 4500],
    );
  });

  it('landscape 1920×1080 mirrors it', () => {
    assert.deepEqual(sizes(planLadder(info(1920, 1080))), ['360p 640x360', '540p 960x540', '720p 1280x720', '1080p 1920x1080']);
  });

  it('never exceeds 1080p for a 4K source', () => {
    assert.deepEqual(sizes(planLadder(info(3840, 2160))), ['360p 640x360', '540p 960x540', '720p 1280x720', '1080p 1920x1080']);
    assert.deepEqual(sizes(planLadder(info(2160, 3840))).at(-1), '1080p 1080x1920');
  });

  it('never upscales: a 720×1280 source stops at 720p', () => {
    assert.deepEqual(sizes(planLadder(info(720, 1280))), ['360p 360x640', '540p 540x960', '720p 720x1280']);
  });

  it('keeps one rung at source size for tiny sources, with fewer bits', () => {
    const [only, ...rest] = planLadder(info(320, 240));
    assert.equal(rest.length, 0);
    assert.deepEqual([only?.name, only?.width, only?.height], ['360p', 320, 240]);
    assert.equal(only?.videoBitrateK, Math.round(700 * (240 / 360) ** 2));
    assert.ok(only && only.maxrateK > only.videoBitrateK && only.bufsizeK > only.maxrateK);
  });

  it('has a bitrate floor for very small sources', () => {
    assert.equal(planLadder(info(64, 64))[0]?.videoBitrateK, 150);
  });

  it('rounds odd sizes to even without upscaling', () => {
    assert.deepEqual(sizes(planLadder(info(721, 1281))), ['360p 360x640', '540p 540x960', '720p 720x1280']);
    assert.deepEqual(sizes(planLadder(info(333, 501))), ['360p 332x500']);
    for (const r of [...planLadder(info(1079, 1919)), ...planLadder(info(853, 479)), ...planLadder(info(1001, 333))]) {
      assert.equal(r.width % 2, 0, `${r.name} width ${r.width}`);
      assert.equal(r.height % 2, 0, `${r.name} height ${r.height}`);
    }
  });

  it('gives a near-miss source (within 10% of a rung) that rung at source size', () => {
    assert.deepEqual(sizes(planLadder(info(1079, 1919))).at(-1), '1080p 1078x1918');
    assert.deepEqual(sizes(planLadder(info(1920, 1036))).at(-1), '1080p 1920x1036');
    assert.deepEqual(sizes(planLadder(info(1920, 950))).at(-1), '720p 1456x720');
  });

  it('preserves aspect ratio within rounding', () => {
    for (const [w, h] of [
      [1080, 1920],
      [1920, 1080],
      [1080, 1080],
      [886, 1920],
      [1440, 1080],
      [1080, 2400],
    ] as const) {
      for (const r of planLadder(info(w, h))) {
        assert.ok(Math.abs(r.width / r.height - w / h) < 0.01, `${w}x${h} → ${r.width}x${r.height}`);
      }
    }
  });
});

describe('outputFps / h264Level / codecsFor', () => {
  it('decimates high frame rates by an integer factor', () => {
    assert.equal(outputFps(30), 30);
    assert.equal(outputFps(24), 24);
    assert.equal(outputFps(60), 30);
    assert.equal(outputFps(50), 25);
    assert.equal(outputFps(120), 30);
    assert.ok(Math.abs(outputFps(59.94) - 29.97) < 1e-9);
    assert.equal(outputFps(undefined), 30);
    assert.equal(outputFps(0), 30);
  });

  it('picks the smallest level that fits, never below 3.1', () => {
    assert.equal(h264Level(640, 360, 30), 31);
    assert.equal(h264Level(720, 1280, 30), 31);
    assert.equal(h264Level(1080, 1920, 30), 40);
    assert.equal(h264Level(1280, 720, 60), 32);
    assert.equal(h264Level(1920, 1080, 60), 42);
    assert.equal(h264Level(3840, 2160, 30), 51);
    // 256 macroblocks tall is beyond level 3.1's sqrt(8·MaxFS) limit.
    assert.equal(h264Level(64, 4096, 30), 40);
  });

  it('advertises what x264 writes', () => {
    const [p360, p540, p720, p1080] = planLadder(info(1080, 1920));
    assert.equal(codecsFor(p360!, 30), 'avc1.4d401f,mp4a.40.2');
    assert.equal(codecsFor(p540!, 30), 'avc1.4d401f,mp4a.40.2');
    assert.equal(codecsFor(p720!, 30), 'avc1.64001f,mp4a.40.2');
    assert.equal(codecsFor(p1080!, 30), 'avc1.640028,mp4a.40.2');
    assert.equal(codecsFor(p1080!, 60), 'avc1.640028,mp4a.40.2', '60 fps is decimated to 30 first');
  });
});

describe('renditionArgs', () => {
  const [r360] = planLadder(info(1080, 1920));
  const args = renditionArgs('/in/source.mp4', '/out', r360!, { hasAudio: true, fps: 30 });

  it('scales, encodes H.264 Main 3.1 with the planned rate control', () => {
    assert.equal(flag(args, '-filter_complex'), '[0:V:0]scale=360:640,setsar=1,format=yuv420p[v0]');
    assert.equal(flag(args, '-c:v'), 'libx264');
    assert.equal(flag(args, '-preset'), 'veryfast');
    assert.equal(flag(args, '-profile:v'), 'main');
    assert.equal(flag(args, '-level:v'), '3.1');
    assert.equal(flag(args, '-pix_fmt'), 'yuv420p');
    assert.deepEqual([flag(args, '-b:v'), flag(args, '-maxrate'), flag(args, '-bufsize')], ['700k', '1050k', '1575k']);
  });

  it('puts a keyframe at every segment boundary', () => {
    assert.equal(flag(args, '-g'), '60');
    assert.equal(flag(args, '-keyint_min'), '60');
    assert.equal(flag(args, '-sc_threshold'), '0');
    assert.equal(flag(args, '-force_key_frames'), 'expr:gte(t,n_forced*2)');
  });

  it('writes a VOD HLS playlist with numbered TS segments', () => {
    assert.equal(flag(args, '-f'), 'hls');
    assert.equal(flag(args, '-hls_time'), '2');
    assert.equal(flag(args, '-hls_playlist_type'), 'vod');
    assert.equal(flag(args, '-hls_segment_filename'), '/out/360p/seg_%03d.ts');
    assert.equal(args.at(-1), '/out/360p/index.m3u8');
    assert.ok(!args.includes('-master_pl_name') && !args.includes('-var_stream_map'), 'the 2018 npm build cannot do these');
  });

  it('maps the real video (not cover art) and the source audio as AAC stereo', () => {
    assert.equal(flag(args, '-i'), '/in/source.mp4');
    assert.equal(flag(args, '-format_whitelist')?.split(',').includes('hls'), false);
    assert.deepEqual([flag(args, '-map'), flag(args, '-map', args.indexOf('-map') + 2)], ['[v0]', '0:a:0']);
    assert.deepEqual([flag(args, '-c:a'), flag(args, '-b:a'), flag(args, '-ac'), flag(args, '-ar')], ['aac', '96k', '2', '48000']);
    assert.ok(!args.includes('anullsrc=channel_layout=stereo:sample_rate=48000'));
    assert.ok(!args.includes('-shortest'));
    assert.deepEqual([flag(args, '-map_metadata')], ['-1']);
  });

  it('adds a silent track, cut to the video, when the source has no audio', () => {
    const silent = renditionArgs('in.mp4', 'out', r360!, { hasAudio: false });
    assert.deepEqual(silent.slice(4, 8), ['-f', 'lavfi', '-i', 'anullsrc=channel_layout=stereo:sample_rate=48000']);
    assert.equal(flag(silent, '-map', silent.indexOf('-map') + 2), '1:a:0');
    assert.ok(silent.includes('-shortest'));
  });

  it('follows the frame rate and segment length', () => {
    const a25 = renditionArgs('in.mp4', 'out', r360!, { hasAudio: true, fps: 25, segmentSeconds: 4 });
    assert.equal(flag(a25, '-g'), '100');
    assert.equal(flag(a25, '-force_key_frames'), 'expr:gte(t,n_forced*4)');
    assert.equal(flag(a25, '-hls_time'), '4');
    assert.ok(!flag(a25, '-filter_complex')?.includes('fps='));
    const a60 = renditionArgs('in.mp4', 'out', r360!, { hasAudio: true, fps: 60, preset: 'superfast' });
    assert.equal(flag(a60, '-filter_complex'), '[0:V:0]fps=30,scale=360:640,setsar=1,format=yuv420p[v0]');
    assert.equal(flag(a60, '-g'), '60');
    assert.equal(flag(a60, '-preset'), 'superfast');
    const a2997 = renditionArgs('in.mp4', 'out', r360!, { hasAudio: true, fps: 29.97 });
    assert.equal(flag(a2997, '-g'), '60');
  });
});

describe('ladderArgs', () => {
  const ladder = planLadder(info(1080, 1920));
  const args = ladderArgs('in.mp4', 'out', ladder.slice(1), { hasAudio: true, fps: 30 });

  it('decodes once and splits into one HLS output per rendition', () => {
    assert.equal(
      flag(args, '-filter_complex'),
      '[0:V:0]split=3[s0][s1][s2];' +
        '[s0]scale=540:960,setsar=1,format=yuv420p[v0];' +
        '[s1]scale=720:1280,setsar=1,format=yuv420p[v1];' +
        '[s2]scale=1080:1920,setsar=1,format=yuv420p[v2]',
    );
    assert.equal(args.filter((a) => a === '-i').length, 1);
    assert.deepEqual(
      args.filter((a) => a.endsWith('index.m3u8')),
      ['out/540p/index.m3u8', 'out/720p/index.m3u8', 'out/1080p/index.m3u8'],
    );
    assert.deepEqual(
      args.filter((a) => a.startsWith('[v')),
      ['[v0]', '[v1]', '[v2]'],
    );
  });

  it('sets profile, level and bitrate per output', () => {
    const profiles = args.flatMap((a, i) => (a === '-profile:v' ? [`${args[i + 1]}@${args[i + 3]}`] : []));
    assert.deepEqual(profiles, ['main@3.1', 'high@3.1', 'high@4.0']);
    assert.deepEqual(
      args.flatMap((a, i) => (a === '-b:v' ? [args[i + 1]] : [])),
      ['1400k', '2500k', '4500k'],
    );
    assert.equal(args.filter((a) => a === '-force_key_frames').length, 3);
  });

  it('refuses an empty ladder', () => {
    assert.throws(() => ladderArgs('in.mp4', 'out', [], { hasAudio: true }), /at least one/);
  });
});

describe('masterPlaylist', () => {
  const ladder = planLadder(info(1080, 1920));

  it('lists every rendition, lowest first, with matching CODECS', () => {
    const expected = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-STREAM-INF:BANDWIDTH=1260600,AVERAGE-BANDWIDTH=875600,RESOLUTION=360x640,CODECS="avc1.4d401f,mp4a.40.2",FRAME-RATE=30.000',
      '360p/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=2450800,AVERAGE-BANDWIDTH=1680800,RESOLUTION=540x960,CODECS="avc1.4d401f,mp4a.40.2",FRAME-RATE=30.000',
      '540p/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=4265800,AVERAGE-BANDWIDTH=2890800,RESOLUTION=720x1280,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=30.000',
      '720p/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=7565800,AVERAGE-BANDWIDTH=5090800,RESOLUTION=1080x1920,CODECS="avc1.640028,mp4a.40.2",FRAME-RATE=30.000',
      '1080p/index.m3u8',
      '',
    ].join('\n');
    assert.equal(masterPlaylist([...ladder].reverse(), { hasAudio: true, fps: 30 }), expected);
    assert.equal(masterPlaylist(ladder, { hasAudio: false, fps: 30 }), expected, 'silent tracks are still AAC');
  });

  it('reports the output frame rate and measured bandwidth when given', () => {
    const text = masterPlaylist(ladder.slice(0, 1), { fps: 59.94, measured: { '360p': { peak: 900_000, average: 800_000 } } });
    assert.match(text, /BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,RESOLUTION=360x640,.*FRAME-RATE=29\.970\n/);
  });

  it('derives planned bandwidth from the VBV cap plus audio and TS overhead', () => {
    assert.deepEqual(plannedBandwidth(ladder[0]!), { peak: Math.round((1050 + 96) * 1100), average: Math.round((700 + 96) * 1100) });
  });
});

describe('measureBandwidth', () => {
  it('computes peak and average bits per second from EXTINF and sizes', () => {
    const playlist = '#EXTM3U\n#EXTINF:2.000000,\nseg_000.ts\n#EXTINF:2.000000,\nseg_001.ts\n#EXTINF:1.000000,\nseg_002.ts\n#EXT-X-ENDLIST\n';
    const bytes: Record<string, number> = { 'seg_000.ts': 250_000, 'seg_001.ts': 150_000, 'seg_002.ts': 150_000 };
    assert.deepEqual(
      measureBandwidth(playlist, (u) => bytes[u] ?? 0),
      { peak: 1_200_000, average: 880_000 },
    );
    assert.deepEqual(
      measureBandwidth('#EXTM3U\n', () => 0),
      { peak: 0, average: 0 },
    );
  });
});

describe('posterArgs / thumbnailsArgs', () => {
  it('poster: 1 s in, long side 720, one JPEG', () => {
    const args = posterArgs('in.mp4', 'poster.jpg', info(1080, 1920));
    assert.deepEqual(args.slice(0, 2), ['-ss', '1.000']);
    assert.equal(flag(args, '-vf'), 'scale=406:720,setsar=1');
    assert.equal(flag(args, '-frames:v'), '1');
    assert.equal(flag(args, '-map'), '0:V:0');
    assert.equal(args.at(-1), 'poster.jpg');
  });

  it('poster: 10% in for short clips, no upscaling of small sources', () => {
    const args = posterArgs('in.mp4', 'p.jpg', info(320, 240, { durationMs: 4000 }));
    assert.deepEqual(args.slice(0, 2), ['-ss', '0.400']);
    assert.equal(flag(args, '-vf'), 'scale=320:240,setsar=1');
  });

  it('thumbnails: one seek per slice midpoint, 180 px wide', () => {
    const args = thumbnailsArgs('in.mp4', 'dir/thumb_%02d.jpg', info(1080, 1920));
    const seeks = args.flatMap((a, i) => (a === '-ss' ? [args[i + 1]] : []));
    assert.deepEqual(seeks, ['2.500', '7.500', '12.500', '17.500', '22.500', '27.500']);
    assert.deepEqual(
      args.filter((a) => a.endsWith('.jpg')),
      ['dir/thumb_01.jpg', 'dir/thumb_02.jpg', 'dir/thumb_03.jpg', 'dir/thumb_04.jpg', 'dir/thumb_05.jpg', 'dir/thumb_06.jpg'],
    );
    assert.deepEqual(
      args.flatMap((a, i) => (a === '-map' ? [args[i + 1]] : [])),
      ['0:V:0', '1:V:0', '2:V:0', '3:V:0', '4:V:0', '5:V:0'],
    );
    assert.equal(flag(args, '-vf'), 'scale=180:320,setsar=1');
  });

  it('thumbnails: count and narrow sources', () => {
    const args = thumbnailsArgs('in.mp4', 't%d.jpg', info(120, 90, { durationMs: 4000 }), 2);
    assert.deepEqual(
      args.filter((a) => a.endsWith('.jpg')),
      ['t1.jpg', 't2.jpg'],
    );
    assert.equal(flag(args, '-vf'), 'scale=120:90,setsar=1');
  });
});
