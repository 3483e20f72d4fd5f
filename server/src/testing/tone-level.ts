import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MediaRunner } from '../media/media-runner.ts';

const RATE = 16_000;

/**
 * How loud the `hz` tone is in `file` between `fromMs` and `toMs`: the audio is decoded to mono
 * 16 kHz floats by ffmpeg and the tone's amplitude measured with the Goertzel algorithm (≈ the
 * sine's peak amplitude, 0–1). Tests use it to prove a sound really is in a render, and where.
 */
export async function toneLevel(media: MediaRunner, file: string, hz: number, fromMs: number, toMs: number): Promise<number> {
  const raw = path.join(os.tmpdir(), `tone-${crypto.randomUUID()}.f32`);
  try {
    // prettier-ignore
    await media.run(['-ss', (fromMs / 1000).toFixed(3), '-t', ((toMs - fromMs) / 1000).toFixed(3), '-i', file, '-vn', '-ac', '1', '-ar', String(RATE), '-f', 'f32le', raw]);
    const buf = await fsp.readFile(raw);
    const x = new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4));
    if (!x.length) return 0;
    const w = (2 * Math.PI * hz) / RATE;
    const coeff = 2 * Math.cos(w);
    let s1 = 0;
    let s2 = 0;
    for (const v of x) {
      const s0 = v + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    return (2 * Math.sqrt(Math.max(0, power))) / x.length;
  } finally {
    await fsp.rm(raw, { force: true });
  }
}
