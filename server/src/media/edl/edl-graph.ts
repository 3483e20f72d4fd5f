import path from 'node:path';
import type { Edl, FONTS } from '@flick/contracts';
import { drawtextText, escapeFilterValue } from '../demo-clips.ts';

/** What the builder needs to know about a clip's source file (probed by the caller). */
export type ClipMedia = { path: string; durationMs: number; hasAudio: boolean };
export type SoundMedia = { path: string; durationMs: number };
export type FontFiles = Record<(typeof FONTS)[number], string>;

export type RenderInputs = {
  /** Per track, per clip: the resolved source of edl.tracks[t].clips[c]. */
  clips: ClipMedia[][];
  /** Per edl.audio entry. */
  sounds: SoundMedia[];
  fonts: FontFiles;
};

export type EncodeOptions = { preset?: string; crf?: number; fps?: number };

export type RenderPlan = { args: string[]; filter: string; durationMs: number; width: number; height: number };

/** A problem with an EDL that the schema alone cannot see (it needs the sources' lengths). `path` names the field. */
export type EdlIssue = { path: string; message: string };

export const FPS = 30;

const sec = (ms: number) => (ms / 1000).toFixed(3);

/** Length on the timeline of one clip: source range divided by speed, in whole ms. */
export const clipTimelineMs = (c: { inMs: number; outMs: number; speed: number }) => Math.round((c.outMs - c.inMs) / c.speed);

/** Length of one track: its clips minus the overlaps crossfades create. */
export function trackMs(track: Edl['tracks'][number]): number {
  let total = 0;
  track.clips.forEach((c, i) => {
    total += clipTimelineMs(c);
    if (i > 0 && c.transition.kind === 'crossfade') total -= c.transition.durationMs;
  });
  return total;
}

/** Output length: the longest track (a duet's shorter side is padded). */
export const edlDurationMs = (edl: Edl) => Math.max(...edl.tracks.map(trackMs));

export function outputSize(edl: Edl) {
  const [w, h] = edl.output.size.split('x').map(Number) as [number, number];
  return { width: w, height: h };
}

/**
 * Checks that need the sources: in/out inside the source, crossfades shorter than the clips they
 * join, overlays and sounds inside the timeline, the total under the limit. Pure; the caller maps
 * issues to a 400 naming the field.
 */
export function checkEdl(edl: Edl, sourceMs: (number | undefined)[][], soundMs: (number | undefined)[], maxMs: number): EdlIssue[] {
  const issues: EdlIssue[] = [];
  edl.tracks.forEach((t, ti) =>
    t.clips.forEach((c, ci) => {
      const p = `tracks.${ti}.clips.${ci}`;
      const len = sourceMs[ti]?.[ci];
      if (len !== undefined && c.outMs > len) issues.push({ path: `${p}.outMs`, message: `outMs ${c.outMs} is past the end of the source (${len} ms)` });
      if (ci > 0 && c.transition.kind === 'crossfade') {
        const prev = t.clips[ci - 1]!;
        const f = c.transition.durationMs;
        if (f >= clipTimelineMs(c) || f >= clipTimelineMs(prev))
          issues.push({ path: `${p}.transition.durationMs`, message: 'a crossfade must be shorter than both clips it joins' });
      }
    }),
  );
  const total = edl.tracks.length ? edlDurationMs(edl) : 0;
  if (total > maxMs) issues.push({ path: 'tracks', message: `the timeline lasts ${Math.round(total / 1000)} s; the limit is ${maxMs / 1000} s` });
  edl.text.forEach((t, i) => {
    if (t.startMs >= total) issues.push({ path: `text.${i}.startMs`, message: `startMs is past the end of the timeline (${total} ms)` });
    else if (t.endMs > total) issues.push({ path: `text.${i}.endMs`, message: `endMs is past the end of the timeline (${total} ms)` });
  });
  edl.audio.forEach((a, i) => {
    const len = soundMs[i];
    if (a.atMs >= total) issues.push({ path: `audio.${i}.atMs`, message: `atMs is past the end of the timeline (${total} ms)` });
    if (len !== undefined && a.offsetMs >= len) issues.push({ path: `audio.${i}.offsetMs`, message: `offsetMs is past the end of the sound (${len} ms)` });
    else if (len !== undefined && a.durationMs !== undefined && a.offsetMs + a.durationMs > len)
      issues.push({ path: `audio.${i}.durationMs`, message: `the range runs past the end of the sound (${len} ms)` });
  });
  return issues;
}

/** ffmpeg colour-grade presets: small, well-known filters, so the browser preview can mimic them with CSS filters. */
export const COLOR_FILTERS: Record<Edl['color'], string | null> = {
  none: null,
  vivid: 'eq=saturation=1.4:contrast=1.08',
  mono: 'hue=s=0',
  warm: 'colorbalance=rs=0.12:gs=0.02:bs=-0.12',
  cool: 'colorbalance=rs=-0.12:gs=0.02:bs=0.12',
  fade: 'eq=contrast=0.85:brightness=0.06:saturation=0.75',
};

function fitFilter(fit: Edl['output']['fit'], w: number, h: number) {
  return fit === 'crop'
    ? `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`
    : `scale=${w}:${h}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black`;
}

const AUDIO_FMT = 'aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo';

/**
 * Turn a validated EDL and its resolved sources into one ffmpeg invocation. Pure: the same EDL and
 * inputs always give the same arguments (and, with bitexact flags and a fixed encoder setup, the same file).
 *
 * Shape: one input per clip (input-side -ss/-t seeks fast and accurately), each normalised to the
 * cell size, 30 fps, stereo 48 kHz; clips joined per track by concat (cut) or xfade/acrossfade
 * (crossfade); duet tracks stacked with the shorter one padded; colour preset, text overlays; the
 * sounds delayed, faded and mixed under the original audio.
 */
export function buildRenderPlan(edl: Edl, inputs: RenderInputs, outFile: string, enc: EncodeOptions = {}): RenderPlan {
  const { width, height } = outputSize(edl);
  const fps = enc.fps ?? FPS;
  const cellW = edl.layout === 'duet-side' ? width / 2 : width;
  const cellH = edl.layout === 'duet-top' ? height / 2 : height;
  const args: string[] = [];
  const chains: string[] = [];
  let nInput = 0;
  const addInput = (file: string, fromMs: number, lenMs: number | undefined) => {
    if (!path.isAbsolute(file)) throw new Error(`input paths must be absolute: ${file}`);
    args.push('-ss', sec(fromMs));
    if (lenMs !== undefined) args.push('-t', sec(lenMs));
    args.push('-i', file);
    return nInput++;
  };

  const tracks = edl.tracks.map((track, ti) => {
    let acc: { v: string; a: string; ms: number } | undefined;
    track.clips.forEach((clip, ci) => {
      const src = inputs.clips[ti]?.[ci];
      if (!src) throw new Error(`no source for tracks.${ti}.clips.${ci}`);
      const srcMs = clip.outMs - clip.inMs;
      const d = clipTimelineMs(clip);
      const k = addInput(src.path, clip.inMs, srcMs);
      const v = `v${ti}_${ci}`;
      const a = `a${ti}_${ci}`;
      const speed = clip.speed === 1 ? '' : `setpts=PTS/${clip.speed},`;
      chains.push(
        `[${k}:v]trim=duration=${sec(srcMs)},setpts=PTS-STARTPTS,${speed}fps=${fps},${fitFilter(edl.output.fit, cellW, cellH)},setsar=1,format=yuv420p,settb=AVTB,trim=duration=${sec(d)}[${v}]`,
      );
      const level = clip.volume * edl.originalVolume;
      if (src.hasAudio && level > 0) {
        const tempo = clip.speed === 1 ? '' : `atempo=${clip.speed},`;
        const vol = level === 1 ? '' : `volume=${level},`;
        chains.push(`[${k}:a]atrim=duration=${sec(srcMs)},asetpts=PTS-STARTPTS,${tempo}${AUDIO_FMT},${vol}apad,atrim=duration=${sec(d)}[${a}]`);
      } else {
        chains.push(`anullsrc=channel_layout=stereo:sample_rate=48000,${AUDIO_FMT},atrim=duration=${sec(d)}[${a}]`);
      }
      if (!acc) {
        acc = { v, a, ms: d };
        return;
      }
      const nv = `t${ti}v${ci}`;
      const na = `t${ti}a${ci}`;
      if (clip.transition.kind === 'crossfade') {
        const f = clip.transition.durationMs;
        chains.push(`[${acc.v}][${v}]xfade=transition=fade:duration=${sec(f)}:offset=${sec(acc.ms - f)}[${nv}]`);
        chains.push(`[${acc.a}][${a}]acrossfade=d=${sec(f)}[${na}]`);
        acc = { v: nv, a: na, ms: acc.ms + d - f };
      } else {
        chains.push(`[${acc.v}][${acc.a}][${v}][${a}]concat=n=2:v=1:a=1[${nv}][${na}]`);
        acc = { v: nv, a: na, ms: acc.ms + d };
      }
    });
    return acc!;
  });

  const total = Math.max(...tracks.map((t) => t.ms));
  let vOut: string;
  let aMix: string;
  if (tracks.length === 1) {
    vOut = tracks[0]!.v;
    aMix = tracks[0]!.a;
  } else {
    const padded = tracks.map((t, i) => {
      if (t.ms >= total) return t;
      chains.push(`[${t.v}]tpad=stop_mode=add:stop_duration=${sec(total - t.ms)}:color=black,trim=duration=${sec(total)}[pv${i}]`);
      chains.push(`[${t.a}]apad,atrim=duration=${sec(total)}[pa${i}]`);
      return { v: `pv${i}`, a: `pa${i}`, ms: total };
    });
    chains.push(`${padded.map((t) => `[${t.v}]`).join('')}${edl.layout === 'duet-side' ? 'hstack' : 'vstack'}=inputs=2[stack]`);
    chains.push(`${padded.map((t) => `[${t.a}]`).join('')}amix=inputs=2:duration=longest:normalize=0[duetmix]`);
    vOut = 'stack';
    aMix = 'duetmix';
  }

  const post: string[] = [];
  const grade = COLOR_FILTERS[edl.color];
  if (grade) post.push(grade);
  const scale = width / 1080;
  for (const t of edl.text) {
    const size = Math.max(8, Math.round(t.size * scale));
    const opts = [
      `fontfile=${escapeFilterValue(inputs.fonts[t.font])}`,
      `text=${drawtextText(t.content)}`,
      'expansion=none',
      `fontsize=${size}`,
      `fontcolor=0x${t.color.slice(1)}`,
      `x=w*${t.x}-text_w/2`,
      `y=h*${t.y}-text_h/2`,
      ...(t.box ? ['box=1', 'boxcolor=black@0.5', `boxborderw=${Math.round(size / 4)}`] : []),
      `enable='between(t,${sec(t.startMs)},${sec(t.endMs - 1)})'`,
    ];
    post.push(`drawtext=${opts.join(':')}`);
  }
  post.push('format=yuv420p');
  chains.push(`[${vOut}]${post.join(',')}[vout]`);

  if (edl.audio.length) {
    const labels = [aMix];
    edl.audio.forEach((s, i) => {
      const m = inputs.sounds[i];
      if (!m) throw new Error(`no media for audio.${i}`);
      const avail = Math.min(s.durationMs ?? Infinity, m.durationMs - s.offsetMs, total - s.atMs);
      const len = Math.max(1, avail);
      const k = addInput(m.path, s.offsetMs, len);
      const f: string[] = [`atrim=duration=${sec(len)}`, 'asetpts=PTS-STARTPTS', AUDIO_FMT];
      if (s.volume !== 1) f.push(`volume=${s.volume}`);
      if (s.fadeInMs > 0) f.push(`afade=t=in:st=0:d=${sec(Math.min(s.fadeInMs, len))}`);
      if (s.fadeOutMs > 0) {
        const fo = Math.min(s.fadeOutMs, len);
        f.push(`afade=t=out:st=${sec(len - fo)}:d=${sec(fo)}`);
      }
      if (s.atMs > 0) f.push(`adelay=${s.atMs}:all=1`);
      chains.push(`[${k}:a]${f.join(',')}[s${i}]`);
      labels.push(`s${i}`);
    });
    // The timeline's audio comes first and sets the length; sounds are mixed in at their own level.
    chains.push(
      `${labels.map((l) => `[${l}]`).join('')}amix=inputs=${labels.length}:duration=first:dropout_transition=0:normalize=0,atrim=duration=${sec(total)}[aout]`,
    );
  } else {
    chains.push(`[${aMix}]atrim=duration=${sec(total)}[aout]`);
  }

  const filter = chains.join(';\n');
  // prettier-ignore
  args.push(
    '-filter_complex', filter,
    '-map', '[vout]', '-map', '[aout]',
    '-c:v', 'libx264', '-preset', enc.preset ?? 'veryfast', '-crf', String(enc.crf ?? 21), '-pix_fmt', 'yuv420p', '-r', String(fps),
    '-g', String(fps * 2),
    '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2',
    '-t', sec(total),
    '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact',
    '-movflags', '+faststart',
    outFile,
  );
  return { args, filter, durationMs: total, width, height };
}
