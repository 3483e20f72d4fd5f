import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeFormat, ProbeResult, ProbeStream } from './media-types.ts';
import { ALLOWED_DEMUXERS, validateProbe } from './probe-rules.ts';

const video = (over: Partial<ProbeStream> = {}): ProbeStream => ({
  index: 0,
  codec_type: 'video',
  codec_name: 'h264',
  width: 1920,
  height: 1080,
  sample_aspect_ratio: '1:1',
  avg_frame_rate: '30/1',
  r_frame_rate: '30/1',
  nb_frames: '900',
  disposition: { default: 1, attached_pic: 0 },
  ...over,
});
const audio: ProbeStream = { index: 1, codec_type: 'audio', codec_name: 'aac' };
const probe = (streams: ProbeStream[], format: Partial<ProbeFormat> = {}): ProbeResult => ({
  streams,
  format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '30.000000', size: '5000000', ...format },
});

function rejection(p: ProbeResult): { code: string; reason: string } {
  const v = validateProbe(p);
  assert.equal(v.ok, false, 'expected a rejection');
  return v.ok ? { code: '', reason: '' } : { code: v.code, reason: v.reason };
}

describe('validateProbe accepts', () => {
  it('a normal landscape phone clip', () => {
    assert.deepEqual(validateProbe(probe([video(), audio])), {
      ok: true,
      info: { width: 1920, height: 1080, durationMs: 30_000, hasAudio: true, fps: 30, videoCodec: 'h264' },
    });
  });

  it('a video without audio', () => {
    const v = validateProbe(probe([video()]));
    assert.ok(v.ok && v.info.hasAudio === false);
  });

  it('NTSC rates, falling back to r_frame_rate, then 30', () => {
    const fps = (s: Partial<ProbeStream>) => {
      const v = validateProbe(probe([video(s)]));
      return v.ok ? v.info.fps : NaN;
    };
    assert.equal(fps({ avg_frame_rate: '30000/1001' }), 29.97);
    assert.equal(fps({ avg_frame_rate: '0/0', r_frame_rate: '25/1' }), 25);
    assert.equal(fps({ avg_frame_rate: '0/0', r_frame_rate: '90000/1' }), 30, 'timebase-like r_frame_rate is ignored');
    assert.equal(fps({ avg_frame_rate: undefined, r_frame_rate: undefined }), 30);
  });

  it('the real video next to cover art', () => {
    const cover = video({ index: 2, codec_name: 'mjpeg', width: 600, height: 600, nb_frames: '1', disposition: { attached_pic: 1 } });
    const v = validateProbe(probe([cover, video({ index: 0 }), audio]));
    assert.ok(v.ok);
    assert.deepEqual([v.info.width, v.info.videoCodec], [1920, 'h264']);
  });

  it('a stream duration when the container has none (and mjpeg with many frames)', () => {
    const v = validateProbe(probe([video({ codec_name: 'mjpeg', duration: '12.5' })], { format_name: 'avi', duration: 'N/A' }));
    assert.ok(v.ok);
    assert.equal(v.info.durationMs, 12_500);
  });

  it('exactly ten minutes, with a little container slack', () => {
    assert.ok(validateProbe(probe([video()], { duration: '600.000' })).ok);
    assert.ok(validateProbe(probe([video()], { duration: '600.4' })).ok);
  });

  it('4K UHD in either orientation', () => {
    assert.ok(validateProbe(probe([video({ width: 3840, height: 2160 })])).ok);
    assert.ok(validateProbe(probe([video({ width: 2160, height: 3840 })])).ok);
  });
});

describe('validateProbe: display size', () => {
  const dims = (s: Partial<ProbeStream>) => {
    const v = validateProbe(probe([video(s)]));
    assert.ok(v.ok);
    return [v.info.width, v.info.height];
  };

  it('swaps for the legacy rotate tag', () => {
    assert.deepEqual(dims({ tags: { rotate: '90' } }), [1080, 1920]);
    assert.deepEqual(dims({ tags: { rotate: '270' } }), [1080, 1920]);
    assert.deepEqual(dims({ tags: { rotate: '180' } }), [1920, 1080]);
  });

  it('swaps for a display matrix rotation of ±90', () => {
    const matrix = (rotation: number) => ({ side_data_list: [{ side_data_type: 'Display Matrix', displaymatrix: '…', rotation }] });
    assert.deepEqual(dims(matrix(-90)), [1080, 1920]);
    assert.deepEqual(dims(matrix(90)), [1080, 1920]);
    assert.deepEqual(dims(matrix(-180)), [1920, 1080]);
    assert.deepEqual(dims(matrix(0)), [1920, 1080]);
  });

  it('prefers the display matrix over a stale tag', () => {
    assert.deepEqual(dims({ tags: { rotate: '0' }, side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }), [1080, 1920]);
  });

  it('applies a non-square sample aspect ratio before rotating', () => {
    assert.deepEqual(dims({ width: 720, height: 576, sample_aspect_ratio: '16:15' }), [768, 576]);
    assert.deepEqual(dims({ width: 1440, height: 1080, sample_aspect_ratio: '4:3', tags: { rotate: '90' } }), [1080, 1920]);
    assert.deepEqual(dims({ sample_aspect_ratio: '0:1' }), [1920, 1080], '0:1 means unknown');
  });
});

describe('validateProbe rejects', () => {
  it('audio-only files', () => {
    assert.deepEqual(rejection(probe([audio])), { code: 'no_video_stream', reason: 'the file is audio only; it has no video track' });
    assert.deepEqual(rejection(probe([])), { code: 'no_video_stream', reason: 'the file has no video track' });
  });

  it('a song with cover art', () => {
    const cover = video({ codec_name: 'png', nb_frames: '1', disposition: { attached_pic: 1 } });
    assert.equal(rejection(probe([audio, cover], { format_name: 'mp3' })).code, 'not_a_video');
  });

  it('still images: PNG, JPEG and a one-frame MJPEG', () => {
    const png = rejection(probe([video({ codec_name: 'png', nb_frames: undefined })], { format_name: 'png_pipe', duration: undefined }));
    assert.deepEqual(png, { code: 'not_a_video', reason: 'this is a still image (png), not a video' });
    assert.equal(rejection(probe([video({ codec_name: 'mjpeg' })], { format_name: 'image2', duration: '0.04' })).code, 'not_a_video');
    assert.equal(rejection(probe([video({ codec_name: 'mjpeg', nb_frames: '1' })], { duration: '0.033' })).code, 'not_a_video');
  });

  it('too long, with a clock-style message', () => {
    assert.deepEqual(rejection(probe([video()], { duration: '660.0' })), { code: 'too_long', reason: 'video is 11:00 long; the limit is 10:00' });
    assert.equal(rejection(probe([video()], { duration: '600.6' })).reason, 'video is 10:01 long; the limit is 10:00');
    assert.equal(rejection(probe([video()], { duration: '3725' })).reason, 'video is 62:05 long; the limit is 10:00');
  });

  it('too short and unknown durations', () => {
    assert.deepEqual(rejection(probe([video()], { duration: '0.5' })), { code: 'too_short', reason: 'video is 0.5 seconds long; the minimum is 1 second' });
    assert.equal(rejection(probe([video()], { duration: 'N/A' })).code, 'no_duration');
    assert.equal(rejection(probe([video()], { duration: '0' })).code, 'no_duration');
    assert.equal(rejection(probe([video()], { duration: undefined })).reason, 'could not determine how long the video is');
  });

  it('oversized pictures: a side over 4096 or over 4096×2304 pixels in total', () => {
    assert.deepEqual(rejection(probe([video({ width: 16000, height: 16000 })])), {
      code: 'dimensions_too_large',
      reason: 'video is 16000×16000; the maximum is 4096 pixels per side and 4096×2304 pixels in total',
    });
    assert.equal(rejection(probe([video({ width: 5000, height: 200 })])).code, 'dimensions_too_large');
    assert.equal(rejection(probe([video({ width: 4096, height: 4096 })])).code, 'dimensions_too_large');
    assert.match(rejection(probe([video({ width: 4096, height: 3072, tags: { rotate: '90' } })])).reason, /^video is 3072×4096;/);
  });

  it('undersized pictures and streams without a size', () => {
    assert.deepEqual(rejection(probe([video({ width: 32, height: 32 })])), {
      code: 'dimensions_too_small',
      reason: 'video is 32×32; each side must be at least 64 pixels',
    });
    assert.equal(rejection(probe([video({ width: 640, height: 48 })])).code, 'dimensions_too_small');
    assert.equal(rejection(probe([video({ width: 0, height: 0 })])).code, 'no_video_stream');
    assert.equal(rejection(probe([video({ width: undefined, height: undefined })])).code, 'no_video_stream');
  });

  it('an MP4 whose sample data is cut off', () => {
    // 30 s at 1.5 Mbit/s + 128 kbit/s claims ~6.1 MB; only 1.8 MB arrived.
    const streams = [video({ bit_rate: '1500000' }), { ...audio, bit_rate: '128000' }];
    const cut = rejection(probe(streams, { size: '1831500' }));
    assert.equal(cut.code, 'truncated');
    assert.match(cut.reason, /about 30% of its data/);
    assert.ok(validateProbe(probe(streams, { size: '6200000' })).ok);
    assert.ok(validateProbe(probe(streams, { size: '1831500', format_name: 'matroska,webm' })).ok, 'only MP4/MOV carry reliable sizes');
  });

  it('never throws on junk', () => {
    assert.equal(validateProbe({ streams: undefined, format: undefined } as unknown as ProbeResult).ok, false);
    assert.equal(rejection(probe([video({ width: 'x' as unknown as number })])).code, 'no_video_stream');
  });
});

describe('ALLOWED_DEMUXERS', () => {
  it('excludes playlist-style demuxers that can open other files', () => {
    const list = ALLOWED_DEMUXERS.split(',');
    for (const bad of ['hls', 'concat', 'dash', 'tty', 'ffmetadata', 'lavfi', 'data', 'sdp', 'rtsp']) assert.ok(!list.includes(bad), bad);
    for (const good of ['mov', 'matroska', 'webm', 'mpegts', 'png_pipe']) assert.ok(list.includes(good), good);
  });
});
