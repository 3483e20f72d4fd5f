import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFsBlobStore } from './fs-blob-store.ts';

test('fs blob store round-trips files and folders and refuses unsafe keys', async () => {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-blob-'));
  const store = createFsBlobStore(root);
  await store.putBuffer('videos/a/master.m3u8', Buffer.from('#EXTM3U\n'));
  assert.equal((await store.read('videos/a/master.m3u8')).toString(), '#EXTM3U\n');
  assert.equal(await store.exists('videos/a/master.m3u8'), true);
  assert.equal(store.url('videos/a/master.m3u8'), '/media/videos/a/master.m3u8');
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-src-'));
  await fsp.mkdir(path.join(dir, '360p'));
  await fsp.writeFile(path.join(dir, '360p', 'index.m3u8'), 'x');
  await store.putFile('videos/a', dir);
  assert.equal((await store.read('videos/a/360p/index.m3u8')).toString(), 'x');
  await store.deletePrefix('videos/a/');
  assert.equal(await store.exists('videos/a/master.m3u8'), false);
  for (const bad of ['../etc/passwd', '/abs', 'a/../../b', 'a//b', 'a\\b', '']) {
    await assert.rejects(() => store.putBuffer(bad, Buffer.from('x')), /unsafe blob key/);
  }
  await fsp.rm(root, { recursive: true, force: true });
  await fsp.rm(dir, { recursive: true, force: true });
});
