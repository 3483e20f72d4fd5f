import { existsSync } from 'node:fs';

export type DemoPattern = 'testsrc2' | 'mandelbrot' | 'life' | 'smptebars' | 'gradients' | 'cellauto' | 'rgbtestsrc';

export type DemoClipSpec = {
  seconds: number;
  width: number;
  height: number;
  title: string;
  subtitle?: string;
  pattern: DemoPattern;
  /** ffmpeg colour (name or #rrggbb, optional @alpha): cells for life, first stop for gradients, title box otherwise. */
  color?: string;
  toneHz: number;
  /** Titles are drawn only when a font is available (drawtext needs a file, not a family name). */
  fontFile?: string;
};

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
  '/usr/share/fonts/liberation-sans/LiberationSans-Bold.ttf',
  '/System/Library/Fonts/Supplemental/Arial Bold.ttf',
  '/Library/Fonts/Arial.ttf',
  'C:\\Windows\\Fonts\\arialbd.ttf',
];

export function findFontFile(candidates: readonly string[] = FONT_CANDIDATES): string | undefined {
  return candidates.find((f) => existsSync(f));
}

/**
 * Escape a value for a filter option inside a filtergraph. ffmpeg unescapes twice: the graph parser
 * (which splits on `[],;`) and then the option parser (which splits on `:`), both honouring `\` and `'`.
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, '\\$&');
  return optionLevel.replace(/[\\'[\],;]/g, '\\$&');
}

/** Text for drawtext with expansion=none, so `%` needs no escaping; control chars (except newline) dropped. */
export function drawtextText(text: string): string {
  return escapeFilterValue(text.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '').trim());
}

const COLOR = /^(#[0-9a-fA-F]{6}|0x[0-9a-fA-F]{6}|[a-zA-Z]+)(@(0(\.\d+)?|1(\.0+)?))?$/;

function checkColor(color: string): string {
  if (!COLOR.test(color)) throw new Error(`invalid colour "${color}": use a name or #rrggbb, optionally @alpha`);
  return color;
}

function assertSpec(seconds: number, width: number, height: number): void {
  if (!(seconds > 0 && seconds <= 600)) throw new Error(`clip length must be within (0, 600] s, got ${seconds}`);
  for (const v of [width, height]) {
    if (!Number.isInteger(v) || v < 16 || v > 4096 || v % 2) throw new Error(`clip size must be even integers within 16..4096, got ${width}x${height}`);
  }
}

/** Lavfi video source. The cellular automata render coarse and scale up with nearest-neighbour: crisp cells, cheap. */
function patternSource(pattern: DemoPattern, w: number, h: number, color: string | undefined): string {
  const size = `size=${w}x${h}:rate=30`;
  const coarse = (k: number) => `size=${Math.max(8, Math.floor(w / k))}x${Math.max(8, Math.floor(h / k))}:rate=30`;
  const up = `,scale=${w}:${h}:flags=neighbor,setsar=1`;
  switch (pattern) {
    case 'life':
      return `life=${coarse(8)}:mold=10:life_color=${color ?? '#ffcc33'}:death_color=#101018:mold_color=#3050a0${up}`;
    case 'cellauto':
      return `cellauto=${coarse(4)}:rule=30${up}`;
    case 'gradients':
      return `gradients=${size}:c0=${color ?? '#ff3366'}:c1=#3366ff:speed=0.02`;
    case 'testsrc2':
    case 'mandelbrot':
    case 'smptebars':
    case 'rgbtestsrc':
      return `${pattern}=${size}`;
  }
}

/**
 * A short H.264/AAC MP4 for demo content: pattern video, optional centred title/subtitle, sine tone.
 * `available` is the set of filters the target ffmpeg has (listFilters); patterns it lacks fall back to
 * testsrc2 — notably `gradients`, which the 2018 npm build predates.
 */
export function demoClipArgs(outFile: string, spec: DemoClipSpec, available?: ReadonlySet<string>): string[] {
  const { seconds, width: w, height: h } = spec;
  assertSpec(seconds, w, h);
  const color = spec.color === undefined ? undefined : checkColor(spec.color);
  const pattern = available && !available.has(spec.pattern) ? 'testsrc2' : spec.pattern;
  // prettier-ignore
  const args = [
    '-f', 'lavfi', '-i', patternSource(pattern, w, h, color),
    '-f', 'lavfi', '-i', `sine=frequency=${Math.max(20, Math.min(20_000, spec.toneHz))}:sample_rate=48000`,
  ];
  if (spec.fontFile) {
    const font = `fontfile=${escapeFilterValue(spec.fontFile)}:expansion=none:fontcolor=white:x=(w-text_w)/2`;
    const box = `box=1:boxcolor=${pattern === 'life' || pattern === 'gradients' || !color ? 'black@0.5' : color}:boxborderw=${Math.round(Math.min(w, h) / 40)}`;
    // drawtext does not wrap: shrink long lines so they fit (bold sans averages ~0.65 em per glyph).
    const fit = (text: string, max: number) => Math.round(Math.min(max, (w * 0.9) / (0.65 * Math.max(1, ...text.split('\n').map((l) => l.length)))));
    const titleSize = fit(spec.title, Math.min(w, h) / 11);
    const texts = [`drawtext=${font}:${box}:fontsize=${titleSize}:y=h*0.42-text_h:text=${drawtextText(spec.title)}`];
    if (spec.subtitle) {
      texts.push(`drawtext=${font}:${box}:fontsize=${fit(spec.subtitle, titleSize * 0.55)}:y=h*0.42+${titleSize}:text=${drawtextText(spec.subtitle)}`);
    }
    args.push('-vf', texts.join(','));
  }
  // prettier-ignore
  args.push(
    '-map', '0:v', '-map', '1:a', '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '21', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-g', '60',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
    '-shortest', '-movflags', '+faststart', outFile,
  );
  return args;
}

/**
 * Deterministic source clip for tests and benchmarks. `faststart: false` leaves the moov box at the end
 * (what many cameras write), which matters when testing truncated uploads.
 */
export function testClipArgs(
  outFile: string,
  spec: { seconds: number; width: number; height: number; withAudio: boolean; fps?: number; faststart?: boolean },
): string[] {
  assertSpec(spec.seconds, spec.width, spec.height);
  const args = ['-f', 'lavfi', '-i', `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.fps ?? 30}`];
  if (spec.withAudio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(spec.seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (spec.withAudio) args.push('-c:a', 'aac', '-b:a', '128k', '-ac', '2');
  if (spec.faststart !== false) args.push('-movflags', '+faststart');
  args.push(outFile);
  return args;
}
