import path from 'node:path';
import type { MediaInfo } from './media-types.ts';
import { ALLOWED_DEMUXERS } from './probe-rules.ts';

export type RenditionName = '360p' | '540p' | '720p' | '1080p';

export type Rendition = {
  name: RenditionName;
  width: number;
  height: number;
  videoBitrateK: number;
  maxrateK: number;
  bufsizeK: number;
  audioBitrateK: number;
};

export type X264Preset = 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';

export type LadderOptions = {
  /** Source has audio. When it does not, a silent AAC track is generated (see ladderArgs). */
  hasAudio: boolean;
  /** Segment length and keyframe interval; default 2. */
  segmentSeconds?: number;
  /** Source frame rate (MediaInfo.fps); output is capped via outputFps. */
  fps?: number;
  /**
   * Default veryfast. Measured for the 360p rung of a 30 s 1080×1920 source on 2 cores: veryfast 6.2–6.6 s,
   * superfast 5.7–6.1 s. Decoding the source is ~2/3 of the CPU, so faster presets buy little and 360p stays forever.
   */
  preset?: X264Preset;
};

/**
 * Rungs by short side. Bitrates target 30 fps short-form content with x264 veryfast; peaks are
 * capped at 1.5× (maxrate) over a 1.5 s VBV (bufsize) so a 2 s segment rarely exceeds BANDWIDTH.
 */
const RUNGS: ReadonlyArray<{ name: RenditionName; short: number; videoK: number; audioK: number }> = [
  { name: '360p', short: 360, videoK: 700, audioK: 96 },
  { name: '540p', short: 540, videoK: 1400, audioK: 128 },
  { name: '720p', short: 720, videoK: 2500, audioK: 128 },
  { name: '1080p', short: 1080, videoK: 4500, audioK: 128 },
];

/** A source within 10% below a rung (e.g. 1036 px) still gets that rung, at its own size. */
const NEAR_MISS = 0.9;
const AUDIO_RATE = 48_000;
/** Muxing overhead of MPEG-TS (PES/TS headers, PAT/PMT) at these bitrates. */
const TS_OVERHEAD = 1.1;

const even = (x: number): number => Math.max(2, Math.round(x / 2) * 2);
const floorEven = (x: number): number => Math.max(2, Math.floor(x / 2) * 2);

export function planLadder(info: MediaInfo): Rendition[] {
  const portrait = info.width <= info.height;
  const short = Math.min(info.width, info.height);
  const long = Math.max(info.width, info.height);
  const out: Rendition[] = [];
  for (const [i, rung] of RUNGS.entries()) {
    // Never upscale; the lowest rung always exists, at the source size when the source is tiny.
    const targetShort = short >= rung.short ? rung.short : i === 0 || short >= rung.short * NEAR_MISS ? short : 0;
    if (!targetShort) continue;
    const s = Math.min(even(targetShort), floorEven(short));
    const l = Math.min(even((long * targetShort) / short), floorEven(long));
    // Smaller-than-rung pictures need proportionally fewer bits.
    const scale = (targetShort / rung.short) ** 2;
    const videoBitrateK = Math.max(150, Math.round(rung.videoK * scale));
    const maxrateK = Math.round(videoBitrateK * 1.5);
    out.push({
      name: rung.name,
      width: portrait ? s : l,
      height: portrait ? l : s,
      videoBitrateK,
      maxrateK,
      bufsizeK: Math.round(maxrateK * 1.5),
      audioBitrateK: rung.audioK,
    });
  }
  return out;
}

/**
 * Output frame rate: sources above ~30 fps are decimated by an integer factor (60→30, 50→25,
 * 59.94→29.97, 120→30) so motion cadence stays even and H.264 levels stay low for old phones.
 */
export function outputFps(sourceFps: number | undefined): number {
  const fps = sourceFps && sourceFps > 0 ? sourceFps : 30;
  return fps / Math.ceil(fps / 31.5);
}

/** [level_idc, MaxMBPS, MaxFS] from the H.264 spec, table A-1; 3.1 is our floor (every phone since ~2010). */
const LEVELS: ReadonlyArray<readonly [number, number, number]> = [
  [31, 108_000, 3_600],
  [32, 216_000, 5_120],
  [40, 245_760, 8_192],
  [42, 522_240, 8_704],
  [50, 589_824, 22_080],
  [51, 983_040, 36_864],
  [52, 2_073_600, 36_864],
];

/** Smallest H.264 level that fits the picture size and macroblock rate. */
export function h264Level(width: number, height: number, fps: number): number {
  const mbW = Math.ceil(width / 16);
  const mbH = Math.ceil(height / 16);
  const fs = mbW * mbH;
  const found = LEVELS.find(([, mbps, maxFs]) => fs <= maxFs && fs * fps <= mbps && Math.max(mbW, mbH) <= Math.sqrt(8 * maxFs));
  return (found ?? LEVELS[LEVELS.length - 1]!)[0];
}

/** Main for small rungs (cheapest decode), High from 720p up (better compression where bits matter). */
export function h264Profile(r: Rendition): 'main' | 'high' {
  return r.name === '720p' || r.name === '1080p' ? 'high' : 'main';
}

/** RFC 6381 codec string of what x264 writes: main sets constraint_set1 (0x40), high sets none. */
export function codecsFor(r: Rendition, sourceFps?: number): string {
  const level = h264Level(r.width, r.height, outputFps(sourceFps));
  const profile = h264Profile(r) === 'high' ? '6400' : '4d40';
  return `avc1.${profile}${level.toString(16).padStart(2, '0')},mp4a.40.2`;
}

const fmtRate = (fps: number): string => String(Math.round(fps * 1000) / 1000);

/**
 * One ffmpeg run producing `outDir/<name>/index.m3u8` + `seg_%03d.ts` for each rendition from a single
 * decode (split filter, one HLS muxer per output). The caller creates the `outDir/<name>/` directories
 * (the 2018 npm ffmpeg does not). Every rendition carries an AAC stereo track: silence from anullsrc when
 * the source has none, so all videos have the same track layout and one CODECS string, and players that
 * reuse a MediaSource across feed items never have to re-initialise for audio-less clips.
 */
export function ladderArgs(input: string, outDir: string, renditions: Rendition[], opts: LadderOptions): string[] {
  if (renditions.length === 0) throw new Error('ladderArgs needs at least one rendition');
  const seg = opts.segmentSeconds ?? 2;
  const fps = outputFps(opts.fps);
  const gop = String(Math.max(1, Math.round(fps * seg)));
  const decimate = opts.fps && fps < opts.fps - 0.01 ? `fps=${fmtRate(fps)},` : '';
  const scaled = renditions.map((r, i) => `scale=${r.width}:${r.height},setsar=1,format=yuv420p[v${i}]`);
  const graph =
    renditions.length === 1
      ? `[0:V:0]${decimate}${scaled[0]}`
      : `[0:V:0]${decimate}split=${renditions.length}${renditions.map((_, i) => `[s${i}]`).join('')};` + scaled.map((s, i) => `[s${i}]${s}`).join(';');

  const args = ['-format_whitelist', ALLOWED_DEMUXERS, '-i', input];
  if (!opts.hasAudio) args.push('-f', 'lavfi', '-i', `anullsrc=channel_layout=stereo:sample_rate=${AUDIO_RATE}`);
  args.push('-filter_complex', graph);
  for (const [i, r] of renditions.entries()) {
    const dir = path.join(outDir, r.name);
    // prettier-ignore
    args.push(
      '-map', `[v${i}]`,
      '-map', opts.hasAudio ? '0:a:0' : '1:a:0',
      '-c:v', 'libx264', '-preset', opts.preset ?? 'veryfast',
      '-profile:v', h264Profile(r), '-level:v', (h264Level(r.width, r.height, fps) / 10).toFixed(1),
      '-pix_fmt', 'yuv420p',
      '-b:v', `${r.videoBitrateK}k`, '-maxrate', `${r.maxrateK}k`, '-bufsize', `${r.bufsizeK}k`,
      // Fixed GOP plus forced keyframes on segment boundaries: every segment starts with an IDR, even for VFR input.
      '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-force_key_frames', `expr:gte(t,n_forced*${seg})`,
      '-c:a', 'aac', '-b:a', `${r.audioBitrateK}k`, '-ac', '2', '-ar', String(AUDIO_RATE),
      ...(opts.hasAudio ? [] : ['-shortest']),
      '-map_metadata', '-1',
      '-max_muxing_queue_size', '1024',
      '-f', 'hls', '-hls_time', String(seg), '-hls_playlist_type', 'vod', '-hls_flags', 'independent_segments',
      '-hls_segment_filename', path.join(dir, 'seg_%03d.ts'),
      path.join(dir, 'index.m3u8'),
    );
  }
  return args;
}

/** A single rendition (the first rung, published before the rest of the ladder is encoded). */
export function renditionArgs(input: string, outDir: string, r: Rendition, opts: LadderOptions): string[] {
  return ladderArgs(input, outDir, [r], opts);
}

export type Bandwidth = { peak: number; average: number };

/** Planned bandwidth in bits/s: VBV cap (peak) or target (average) plus audio, plus TS overhead. */
export function plannedBandwidth(r: Rendition): Bandwidth {
  return {
    peak: Math.round((r.maxrateK + r.audioBitrateK) * 1000 * TS_OVERHEAD),
    average: Math.round((r.videoBitrateK + r.audioBitrateK) * 1000 * TS_OVERHEAD),
  };
}

/**
 * Master playlist, lowest bandwidth first. Renditions always carry AAC (see ladderArgs), so CODECS always
 * lists mp4a.40.2; `hasAudio` is accepted for call-site symmetry and does not change the text.
 * `fps` is the source rate (MediaInfo.fps); `measured` overrides the planned BANDWIDTH per rendition.
 */
export function masterPlaylist(
  renditions: Rendition[],
  opts: { hasAudio?: boolean; fps?: number; measured?: Partial<Record<RenditionName, Bandwidth>> } = {},
): string {
  const fps = outputFps(opts.fps);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  const rows = renditions.map((r) => ({ r, bw: opts.measured?.[r.name] ?? plannedBandwidth(r) }));
  for (const { r, bw } of rows.sort((a, b) => a.bw.peak - b.bw.peak)) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${bw.peak},AVERAGE-BANDWIDTH=${bw.average},RESOLUTION=${r.width}x${r.height},` +
        `CODECS="${codecsFor(r, opts.fps)}",FRAME-RATE=${fps.toFixed(3)}`,
      `${r.name}/index.m3u8`,
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * Peak and average bits/s of a finished media playlist, from its EXTINF durations and the segment
 * sizes in bytes (looked up by URI). Feed the result to masterPlaylist's `measured`.
 */
export function measureBandwidth(mediaPlaylist: string, segmentBytes: (uri: string) => number): Bandwidth {
  let peak = 0;
  let bits = 0;
  let seconds = 0;
  let duration = 0;
  for (const line of mediaPlaylist.split(/\r?\n/)) {
    const inf = /^#EXTINF:([\d.]+)/.exec(line);
    if (inf) duration = Number(inf[1]);
    else if (line && !line.startsWith('#') && duration > 0) {
      const b = segmentBytes(line) * 8;
      peak = Math.max(peak, b / duration);
      bits += b;
      seconds += duration;
      duration = 0;
    }
  }
  return { peak: Math.round(peak), average: seconds > 0 ? Math.round(bits / seconds) : 0 };
}

/** Fit inside `maxLong` on the long side without upscaling, even dimensions. */
function fitLong(info: MediaInfo, maxLong: number): { width: number; height: number } {
  const k = Math.min(1, maxLong / Math.max(info.width, info.height));
  return { width: even(info.width * k), height: even(info.height * k) };
}

/** JPEG poster: 1 s in, or 10% in for clips under 10 s (very short clips often open on a black frame). */
export function posterArgs(input: string, outFile: string, info: MediaInfo): string[] {
  const at = Math.min(1, info.durationMs / 10_000);
  const { width, height } = fitLong(info, 720);
  // prettier-ignore
  return [
    '-ss', at.toFixed(3), '-format_whitelist', ALLOWED_DEMUXERS, '-i', input,
    '-map', '0:V:0', '-frames:v', '1', '-vf', `scale=${width}:${height},setsar=1`,
    '-c:v', 'mjpeg', '-q:v', '3', '-map_metadata', '-1', '-f', 'image2', '-update', '1', outFile,
  ];
}

/**
 * `count` thumbnails at the middle of equal slices of the clip, 180 px wide (less if the source is
 * narrower). `outPattern` is a printf-style pattern such as `dir/thumb_%02d.jpg`; numbering starts at 1.
 * One input per thumbnail, each with its own keyframe seek: decoding the whole clip through an fps
 * filter costs as much as a transcode (~9 s for 30 s of 1080×1920 here), seeking costs a GOP per image.
 */
export function thumbnailsArgs(input: string, outPattern: string, info: MediaInfo, count = 6): string[] {
  const slice = info.durationMs / 1000 / count;
  const width = Math.min(180, floorEven(info.width));
  const height = even((info.height * width) / info.width);
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    // prettier-ignore
    args.push('-ss', (slice * (i + 0.5)).toFixed(3), '-format_whitelist', ALLOWED_DEMUXERS, '-i', input);
  }
  for (let i = 0; i < count; i++) {
    const file = outPattern.replace(/%0?(\d*)d/, (_, w: string) => String(i + 1).padStart(Number(w) || 0, '0'));
    // prettier-ignore
    args.push(
      '-map', `${i}:V:0`, '-frames:v', '1', '-vf', `scale=${width}:${height},setsar=1`,
      '-c:v', 'mjpeg', '-q:v', '5', '-map_metadata', '-1', '-f', 'image2', '-update', '1', file,
    );
  }
  return args;
}
