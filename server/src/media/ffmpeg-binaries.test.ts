import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { findMediaTools, MediaToolsNotFoundError } from './ffmpeg-binaries.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'flick-tools-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fakeTool(sub: string, name: string, mode = 0o755): string {
  const file = path.join(dir, sub, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, mode);
  return file;
}

describe('findMediaTools', () => {
  const bin = path.join(dir, 'bin');
  const noexec = path.join(dir, 'noexec');
  const empty = path.join(dir, 'empty');
  for (const d of [bin, noexec, empty]) mkdirSync(d);
  const ffmpeg = fakeTool('bin', 'ffmpeg');
  const ffprobe = fakeTool('bin', 'ffprobe');
  fakeTool('noexec', 'ffmpeg', 0o644);
  fakeTool('noexec', 'ffprobe', 0o644);

  it('prefers explicit env paths', () => {
    assert.deepEqual(findMediaTools({ FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe, PATH: '' }), { ffmpeg, ffprobe, source: 'env' });
  });

  it('resolves a bare command name in the env value through PATH', () => {
    assert.deepEqual(findMediaTools({ FFMPEG_PATH: 'ffmpeg', PATH: bin }), { ffmpeg, ffprobe, source: 'env' });
  });

  it('searches PATH in order, skipping non-executable files', () => {
    assert.deepEqual(findMediaTools({ PATH: [empty, noexec, bin].join(path.delimiter) }), { ffmpeg, ffprobe, source: 'system' });
  });

  it('falls back to the npm-shipped static builds', () => {
    const found = findMediaTools({ PATH: [empty, noexec].join(path.delimiter) });
    assert.equal(found.source, 'npm');
    assert.match(found.ffmpeg, /@ffmpeg-installer[/\\][^/\\]+[/\\]ffmpeg(\.exe)?$/);
    assert.match(found.ffprobe, /@ffprobe-installer[/\\][^/\\]+[/\\]ffprobe(\.exe)?$/);
  });

  it('mixes sources per tool and reports where ffmpeg came from', () => {
    const found = findMediaTools({ FFPROBE_PATH: ffprobe, PATH: '' });
    assert.equal(found.source, 'npm');
    assert.equal(found.ffprobe, ffprobe);
  });

  it('fails loudly, on one line, when an explicit path is wrong', () => {
    const missing = path.join(dir, 'nope', 'ffmpeg');
    assert.throws(
      () => findMediaTools({ FFMPEG_PATH: missing, PATH: bin }),
      (err: unknown) =>
        err instanceof MediaToolsNotFoundError && err.name === 'MediaToolsNotFoundError' && err.message === `FFMPEG_PATH=${missing} is not an executable file`,
    );
    assert.throws(
      () => findMediaTools({ FFPROBE_PATH: path.join(dir, 'noexec', 'ffprobe'), PATH: bin }),
      /^MediaToolsNotFoundError: FFPROBE_PATH=.* is not an executable file$/,
    );
  });
});
