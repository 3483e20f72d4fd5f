import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findMediaTools } from '../../media/ffmpeg-binaries.ts';
import { createMediaRunner } from '../../media/media-runner.ts';
import { decodeFingerprint, encodeFingerprint, fingerprintArgs, fingerprintDistance, fingerprintKeys, MATCH_THRESHOLD } from './fingerprint.ts';

const runner = createMediaRunner(findMediaTools({ PATH: process.env.PATH }));

/** A little two-voice "melody"; `k` changes the note sequence, so different k = different music. */
const melody = (k: number) =>
  `aevalsrc='0.5*sin(2*PI*t*220*pow(2\\,mod(floor(t*4)*${k}\\,12)/12))+0.3*sin(2*PI*t*330*pow(2\\,mod(floor(t*3)*(${k}+2)\\,12)/12))':s=44100`;

describe('chromaprint fingerprints (measured threshold)', () => {
  let dir = '';
  const fp = async (file: string) => {
    const out = `${file}.fp`;
    await runner.run(fingerprintArgs(file, out));
    return decodeFingerprint(await fsp.readFile(out));
  };
  const make = async (name: string, k: number, enc: string[], extra: string[] = []) => {
    const f = path.join(dir, name);
    await runner.run(['-f', 'lavfi', '-i', melody(k), '-t', '8', ...extra, ...enc, f]);
    return f;
  };
  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'fp-'));
  });
  after(() => fsp.rm(dir, { recursive: true, force: true }));

  it('re-encodings of the same audio match; different audio does not', async () => {
    const orig = await fp(await make('a.wav', 5, ['-c:a', 'pcm_s16le']));
    const same = [
      await fp(await make('a.m4a', 5, ['-c:a', 'aac', '-b:a', '48k'])),
      await fp(await make('a.ogg', 5, ['-c:a', 'libopus', '-b:a', '32k'])),
      await fp(await make('a.mp3', 5, ['-ar', '22050', '-c:a', 'libmp3lame', '-b:a', '64k'])),
      // The same audio starting a second later (a trimmed re-upload) and quieter.
      await fp(await make('a-late.m4a', 5, ['-c:a', 'aac', '-b:a', '64k'], ['-ss', '1', '-af', 'volume=0.5'])),
    ];
    const different = [
      await fp(await make('b.wav', 7, ['-c:a', 'pcm_s16le'])),
      await fp(await make('c.m4a', 11, ['-c:a', 'aac', '-b:a', '48k'])),
      await fp(await make('d.m4a', 1, ['-c:a', 'aac', '-b:a', '48k'])),
    ];
    assert.ok(orig.length >= 30, `expected ~8 words/s, got ${orig.length}`);
    const sameD = same.map((s) => fingerprintDistance(orig, s));
    const diffD = different.map((d) => fingerprintDistance(orig, d));
    // The figures behind MATCH_THRESHOLD (see fingerprint.ts), printed so a change in ffmpeg shows up.
    console.log(`fingerprint BER same: ${sameD.map((d) => d.toFixed(3)).join(' ')}; different: ${diffD.map((d) => d.toFixed(3)).join(' ')}`);
    for (const d of sameD) assert.ok(d < MATCH_THRESHOLD, `re-encoded copy at BER ${d}`);
    for (const d of diffD) assert.ok(d > MATCH_THRESHOLD + 0.05, `different audio at BER ${d}`);
    assert.ok(
      fingerprintKeys(orig).some((k) => fingerprintKeys(same[0]!).includes(k)),
      'a re-encoding shares lookup keys',
    );
  });

  it('encodes and decodes losslessly; too little overlap never matches', () => {
    const words = Uint32Array.from([0, 1, 0xffffffff, 0x12345678]);
    assert.deepEqual(decodeFingerprint(encodeFingerprint(words)), words);
    assert.equal(fingerprintDistance(words, words), 1, 'under minOverlap: no verdict');
    assert.equal(fingerprintDistance(words, words, 0, 4), 0);
  });
});
