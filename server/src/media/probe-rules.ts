import type { MediaInfo, ProbeResult, ProbeStream } from './media-types.ts';

export type { MediaInfo, ProbeResult, ProbeStream } from './media-types.ts';

/**
 * Upload limits. Sides are checked on the coded picture (rotation does not change them).
 * 4096 px / 4096×2304 px total admits 4K UHD in either orientation (2160×3840 = 8.3 MP) while
 * refusing square 4096² or panorama-sized inputs that would only cost decode time and memory.
 */
export const MEDIA_LIMITS = {
  maxDurationMs: 10 * 60_000,
  /** Cameras often write 10:00.2 for a "10 minute" clip because of audio padding. */
  durationSlackMs: 500,
  minDurationMs: 1_000,
  maxSide: 4096,
  minSide: 64,
  maxPixels: 4096 * 2304,
} as const;

/**
 * Demuxers ffprobe/ffmpeg may use on uploads. Without this, a text file named .mp4 holding an HLS or
 * concat playlist is parsed as such and can make ffmpeg read arbitrary local files or URLs.
 * Image demuxers are allowed only so that pictures get a friendly "not a video" instead of "unreadable".
 */
// prettier-ignore
export const ALLOWED_DEMUXERS = [
  'mov', 'matroska', 'webm', 'avi', 'mpegts', 'flv', 'ogg', 'asf', 'mpeg', 'gif',
  'image2', 'png_pipe', 'jpeg_pipe', 'webp_pipe', 'bmp_pipe', 'tiff_pipe',
].join(',');

export type ProbeRejectCode =
  'no_video_stream' | 'not_a_video' | 'dimensions_too_large' | 'dimensions_too_small' | 'no_duration' | 'too_short' | 'too_long' | 'truncated';

export type ProbeVerdict = { ok: true; info: MediaInfo } | { ok: false; code: ProbeRejectCode; reason: string };

const reject = (code: ProbeRejectCode, reason: string): ProbeVerdict => ({ ok: false, code, reason });

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

function parseRatio(v: string | undefined): number {
  const [n, d = '1'] = (v ?? '').split(/[/:]/);
  const r = num(n) / num(d);
  return Number.isFinite(r) && r > 0 ? r : NaN;
}

/** Clockwise-or-not does not matter here: only whether the picture is turned sideways. */
function rotationDegrees(s: ProbeStream): number {
  const fromMatrix = s.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const r = Math.round(fromMatrix ?? num(s.tags?.rotate ?? 0)) || 0;
  return ((r % 360) + 360) % 360;
}

function clock(ms: number): string {
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} second${ms === 1000 ? '' : 's'}`;
}

/** Image demuxers: image2 (by extension) and the content-sniffing `*_pipe` family. */
const IMAGE_FORMAT = /(^|,)(image2|\w+_pipe)(,|$)/;

export function validateProbe(p: ProbeResult): ProbeVerdict {
  const streams = Array.isArray(p.streams) ? p.streams : [];
  const format = p.format ?? {};
  const videos = streams.filter((s) => s.codec_type === 'video');
  const hasAudio = streams.some((s) => s.codec_type === 'audio');
  if (videos.length === 0) {
    return reject('no_video_stream', hasAudio ? 'the file is audio only; it has no video track' : 'the file has no video track');
  }
  const video = videos.find((s) => s.disposition?.attached_pic !== 1);
  if (!video) return reject('not_a_video', 'the file only contains a cover picture, not a video');

  const formatName = format.format_name ?? '';
  if (IMAGE_FORMAT.test(formatName) || num(video.nb_frames) === 1) {
    return reject('not_a_video', `this is a still image (${video.codec_name ?? formatName}), not a video`);
  }

  const codedW = num(video.width);
  const codedH = num(video.height);
  if (!(codedW > 0 && codedH > 0)) return reject('no_video_stream', 'the video track has no picture size');
  const sar = parseRatio(video.sample_aspect_ratio);
  const displayW = Math.round(codedW * (Number.isFinite(sar) ? sar : 1));
  const sideways = rotationDegrees(video) % 180 === 90;
  const width = sideways ? codedH : displayW;
  const height = sideways ? displayW : codedH;
  const L = MEDIA_LIMITS;
  if (Math.max(codedW, codedH) > L.maxSide || codedW * codedH > L.maxPixels) {
    return reject('dimensions_too_large', `video is ${width}×${height}; the maximum is ${L.maxSide} pixels per side and 4096×2304 pixels in total`);
  }
  if (Math.min(codedW, codedH) < L.minSide) {
    return reject('dimensions_too_small', `video is ${width}×${height}; each side must be at least ${L.minSide} pixels`);
  }

  const durationSec = Number.isFinite(num(format.duration)) ? num(format.duration) : num(video.duration);
  if (!(durationSec > 0)) return reject('no_duration', 'could not determine how long the video is');
  const durationMs = Math.round(durationSec * 1000);
  if (durationMs < L.minDurationMs) {
    return reject('too_short', `video is ${seconds(durationMs)} long; the minimum is ${seconds(L.minDurationMs)}`);
  }
  if (durationMs > L.maxDurationMs + L.durationSlackMs) {
    return reject('too_long', `video is ${clock(durationMs)} long; the limit is ${clock(L.maxDurationMs)}`);
  }

  // MP4/MOV keep the sample table in the moov box: with a front-loaded moov a cut-off upload still
  // probes fine, so compare the bytes the tracks claim with the bytes actually present.
  if (formatName.startsWith('mov,')) {
    const claimed = streams.reduce((sum, s) => sum + (num(s.bit_rate) * durationSec) / 8 || 0, 0);
    const size = num(format.size);
    if (claimed > 0 && size > 0 && size < claimed * 0.9) {
      return reject('truncated', `the file looks incomplete (about ${Math.round((size / claimed) * 100)}% of its data is present); try uploading it again`);
    }
  }

  const rate = [video.avg_frame_rate, video.r_frame_rate].map(parseRatio).find((r) => r > 0 && r <= 240);
  return {
    ok: true,
    info: {
      width,
      height,
      durationMs,
      hasAudio,
      fps: rate ? Math.round(rate * 1000) / 1000 : 30,
      videoCodec: video.codec_name ?? 'unknown',
    },
  };
}
