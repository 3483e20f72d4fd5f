import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ApiError, type Video } from '@flick/contracts';
import { createTestApp, eventually, type TestApp, type TestUser } from '../../testing/harness.ts';
import { makeClip } from '../../testing/clips.ts';

async function uploadForm(t: TestApp, u: TestUser, file: Blob, name: string, caption = 'hello #first @nobody') {
  const form = new FormData();
  form.set('caption', caption);
  form.set('file', file, name);
  const res = await fetch(`${t.baseUrl}/api/videos`, { method: 'POST', headers: { cookie: u.cookie }, body: form });
  return { status: res.status, body: (await res.json()) as { id?: string; status?: string; error?: { code: string; message: string } } };
}

async function listFiles(dir: string): Promise<string[]> {
  if (!fs.existsSync(dir)) return [];
  return (await fsp.readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

describe('videos: upload → HLS ladder', () => {
  let t: TestApp;
  let u: TestUser;
  let tmp: string;
  let clip: string;
  before(async () => {
    t = await createTestApp({ worker: true });
    u = await t.newUser({ username: 'creator1' });
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-vt-'));
    clip = await makeClip(t.ctx.media, tmp, { seconds: 5, width: 720, height: 1280 });
  });
  after(async () => {
    await t.close();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  test('a real clip becomes a playable adaptive HLS video with poster and thumbnails', async () => {
    const bytes = await fsp.readFile(clip);
    const up = await uploadForm(t, u, new Blob([bytes], { type: 'video/mp4' }), 'my clip.mp4', 'Morning run #Running #fitness with @creator1');
    assert.equal(up.status, 202, JSON.stringify(up.body));
    assert.equal(up.body.status, 'processing');
    const id = up.body.id!;
    const ready = await eventually(async () => {
      const v = await u.client.call('video', { params: { id } });
      return v.status === 'ready' ? v : undefined;
    });
    assert.ok(ready.hlsUrl);
    const done = await eventually(async () => {
      const v = await u.client.call('video', { params: { id } });
      return v.phase === 'ready' ? v : undefined;
    });
    assert.deepEqual(done.renditions, ['360p', '540p', '720p']);
    assert.equal(done.progress, 100);
    assert.deepEqual(done.hashtags, ['running', 'fitness']);
    assert.deepEqual(done.mentions, ['creator1']);
    assert.equal(done.width, 720);
    assert.equal(done.height, 1280);
    assert.ok(done.durationMs! >= 4900 && done.durationMs! <= 5200, String(done.durationMs));
    const master = await (await fetch(t.baseUrl + done.hlsUrl!)).text();
    assert.match(master, /^#EXTM3U/);
    const variants = master.split('\n').filter((l) => l.endsWith('.m3u8'));
    assert.deepEqual(variants, ['360p/index.m3u8', '540p/index.m3u8', '720p/index.m3u8']);
    assert.match(master, /RESOLUTION=360x640/);
    assert.match(master, /RESOLUTION=720x1280/);
    const media = await (await fetch(new URL(variants[0]!, t.baseUrl + done.hlsUrl!))).text();
    assert.match(media, /#EXT-X-ENDLIST/);
    const durations = [...media.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
    assert.ok(durations.length >= 2 && durations.every((d) => d <= 4.1), `segments of 2–4 s: ${durations.join(',')}`);
    const seg = media.split('\n').find((l) => l.endsWith('.ts'))!;
    const segRes = await fetch(new URL(seg, new URL(variants[0]!, t.baseUrl + done.hlsUrl!)));
    assert.equal(segRes.status, 200);
    assert.ok((await segRes.arrayBuffer()).byteLength > 1000);
    const poster = await sharp(Buffer.from(await (await fetch(t.baseUrl + done.posterUrl!)).arrayBuffer())).metadata();
    assert.equal(poster.format, 'jpeg');
    assert.equal(done.thumbnails.length, 6);
    // Anyone can see a public ready video.
    assert.equal((await t.anon.call('video', { params: { id } })).id, id);
  });

  const rejectCases: { name: string; make: () => Promise<Blob>; filename: string; status: number; code: string }[] = [
    {
      name: 'a text file renamed .mp4',
      filename: 'notes.mp4',
      status: 422,
      code: 'not_a_video',
      make: async () => new Blob(['just some text, not a video\n'.repeat(50)]),
    },
    { name: 'a zero-byte file', filename: 'empty.mp4', status: 400, code: 'empty_file', make: async () => new Blob([]) },
    {
      name: 'a truncated mp4',
      filename: 'cut.mp4',
      status: 422,
      code: 'not_a_video',
      make: async () => new Blob([(await fsp.readFile(clip)).subarray(0, 4000)]),
    },
    {
      name: 'a PNG image',
      filename: 'pic.mp4',
      status: 422,
      code: 'not_a_video',
      make: async () =>
        new Blob([
          await sharp({ create: { width: 64, height: 64, channels: 3, background: 'red' } })
            .png()
            .toBuffer(),
        ]),
    },
    {
      name: 'audio only (no video stream)',
      filename: 'song.mp4',
      status: 422,
      code: 'no_video_stream',
      make: async () => {
        const f = path.join(tmp, 'audio.m4a');
        await t.ctx.media.run(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', f]);
        return new Blob([await fsp.readFile(f)]);
      },
    },
    {
      name: 'an 11-minute video',
      filename: 'long.mp4',
      status: 422,
      code: 'too_long',
      make: async () => {
        const f = path.join(tmp, 'long.mp4');
        await t.ctx.media.run([
          '-f',
          'lavfi',
          '-i',
          'color=c=blue:s=64x64:r=1',
          '-t',
          '660',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-pix_fmt',
          'yuv420p',
          f,
        ]);
        return new Blob([await fsp.readFile(f)]);
      },
    },
  ];

  for (const c of rejectCases) {
    test(`refuses ${c.name} with a clear reason and leaves nothing behind`, async () => {
      const before = await t.ctx.dbh.db
        .selectFrom('videos')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const up = await uploadForm(t, u, await c.make(), c.filename);
      assert.equal(up.status, c.status, JSON.stringify(up.body));
      assert.equal(up.body.error?.code, c.code);
      assert.ok(up.body.error.message.length > 5);
      const afterCount = await t.ctx.dbh.db
        .selectFrom('videos')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(afterCount.n), Number(before.n), 'no row created');
      assert.deepEqual(await listFiles(path.join(t.dataDir, 'uploads')), [], 'no upload left on disk');
    });
  }

  test('a video renamed to .txt is accepted (content decides, not the name); path-traversal names never touch the file system', async () => {
    const bytes = await fsp.readFile(clip);
    const up = await uploadForm(t, u, new Blob([bytes]), '../../../../tmp/evil.txt');
    assert.equal(up.status, 202, JSON.stringify(up.body));
    assert.equal(fs.existsSync('/tmp/evil.txt'), false);
    const files = await listFiles(path.join(t.dataDir, 'media', 'videos', up.body.id!));
    assert.ok(files.every((f) => f.startsWith(path.join(t.dataDir, 'media'))));
    await eventually(async () => ((await u.client.call('video', { params: { id: up.body.id! } })).phase === 'ready' ? true : undefined));
  });

  test('wrong fields and unauthenticated uploads are refused', async () => {
    const form = new FormData();
    form.set('caption', 'x');
    const noFile = await fetch(`${t.baseUrl}/api/videos`, { method: 'POST', headers: { cookie: u.cookie }, body: form });
    assert.equal(noFile.status, 400);
    const anon = await fetch(`${t.baseUrl}/api/videos`, { method: 'POST', body: form });
    assert.equal(anon.status, 401);
    const json = await fetch(`${t.baseUrl}/api/videos`, { method: 'POST', headers: { cookie: u.cookie, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 400);
    const longCaption = await uploadForm(t, u, new Blob([await fsp.readFile(clip)]), 'a.mp4', 'x'.repeat(2201));
    assert.equal(longCaption.status, 400);
    assert.equal(longCaption.body.error?.code, 'invalid_caption');
    assert.deepEqual(await listFiles(path.join(t.dataDir, 'uploads')), []);
  });

  test('resumable tus upload survives a dropped connection', async () => {
    const bytes = await fsp.readFile(clip);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const create = await fetch(`${t.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: {
        cookie: u.cookie,
        'tus-resumable': '1.0.0',
        'upload-length': String(bytes.length),
        'upload-metadata': `filename ${b64('clip.mp4')},caption ${b64('resumed #tus')},visibility ${b64('public')}`,
      },
    });
    assert.equal(create.status, 201);
    const location = new URL(create.headers.get('location')!, t.baseUrl).toString();
    const half = Math.floor(bytes.length / 2);
    const patch = (offset: number, chunk: Buffer, cookie = u.cookie) =>
      fetch(location, {
        method: 'PATCH',
        headers: { cookie, 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
        body: new Uint8Array(chunk),
      });
    assert.equal((await patch(0, bytes.subarray(0, half))).status, 204);
    // Someone else cannot see or continue it.
    const other = await t.newUser();
    const peek = await fetch(location, { method: 'HEAD', headers: { cookie: other.cookie, 'tus-resumable': '1.0.0' } });
    assert.equal(peek.status, 404);
    // "Reconnect": ask where we were, send the rest.
    const head = await fetch(location, { method: 'HEAD', headers: { cookie: u.cookie, 'tus-resumable': '1.0.0' } });
    assert.equal(head.headers.get('upload-offset'), String(half));
    const last = await patch(half, bytes.subarray(half));
    assert.equal(last.status, 204);
    const id = last.headers.get('flick-video-id');
    assert.ok(id);
    const v = await u.client.call('video', { params: { id } });
    assert.equal(v.caption, 'resumed #tus');
    assert.deepEqual(await listFiles(path.join(t.dataDir, 'uploads')), [], 'chunks are cleaned up after ingest');
  });

  test('a tus upload of a non-video is refused at the end with a reason', async () => {
    const bytes = Buffer.from('definitely not a video'.repeat(100));
    const create = await fetch(`${t.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: { cookie: u.cookie, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length) },
    });
    const location = new URL(create.headers.get('location')!, t.baseUrl).toString();
    const res = await fetch(location, {
      method: 'PATCH',
      headers: { cookie: u.cookie, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      body: new Uint8Array(bytes),
    });
    assert.equal(res.status, 422);
    assert.match(await res.text(), /not_a_video/);
    assert.deepEqual(await listFiles(path.join(t.dataDir, 'uploads')), []);
  });

  test('visibility, edit, and delete (rows and files)', async () => {
    const up = await uploadForm(t, u, new Blob([await fsp.readFile(clip)]), 'v.mp4', 'to be removed');
    const id = up.body.id!;
    await eventually(async () => ((await u.client.call('video', { params: { id } })).phase === 'ready' ? true : undefined));
    const priv = await u.client.call('updateVideo', { params: { id }, body: { visibility: 'private', caption: 'now #private' } });
    assert.equal(priv.visibility, 'private');
    assert.deepEqual(priv.hashtags, ['private']);
    await assert.rejects(t.anon.call('video', { params: { id } }), (e: unknown) => e instanceof ApiError && e.status === 404);
    const other = await t.newUser();
    await assert.rejects(other.client.call('deleteVideo', { params: { id } }), (e: unknown) => e instanceof ApiError && e.status === 404);
    await u.client.call('updateVideo', { params: { id }, body: { visibility: 'public' } });
    await assert.rejects(other.client.call('deleteVideo', { params: { id } }), (e: unknown) => e instanceof ApiError && e.status === 403);
    assert.ok((await listFiles(path.join(t.dataDir, 'media', 'videos', id))).length > 5);
    await u.client.call('deleteVideo', { params: { id } });
    await assert.rejects(u.client.call('video', { params: { id } }), (e: unknown) => e instanceof ApiError && e.status === 404);
    assert.deepEqual(await listFiles(path.join(t.dataDir, 'media', 'videos', id)), []);
    assert.equal(await t.ctx.dbh.db.selectFrom('video_hashtags').selectAll().where('video_id', '=', id).executeTakeFirst(), undefined);
  });
});

describe('videos: failures are visible and recoverable', () => {
  let t: TestApp;
  let tmp: string;
  before(async () => {
    t = await createTestApp();
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-vt2-'));
  });
  after(async () => {
    await t.close();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  test('a transcode that fails shows the reason; the creator retries it', async () => {
    const u = await t.newUser();
    const clip = await makeClip(t.ctx.media, tmp, { seconds: 3, width: 360, height: 640 });
    const { id } = await t.ctx.videos.ingestFile({ id: u.me.id, username: u.me.username, roles: ['user'], isMinor: false }, clip, { caption: 'will break' });
    // The stored source gets corrupted before any worker runs.
    const source = path.join(t.dataDir, 'media', 'videos', id, 'source');
    const good = await fsp.readFile(source);
    await fsp.writeFile(source, 'garbage');
    await t.startWorker();
    const failed = await eventually(async () => {
      const v = await u.client.call('video', { params: { id } });
      return v.status === 'failed' ? v : undefined;
    });
    assert.equal(failed.phase, 'failed');
    assert.match(failed.error!, /video|read|format|invalid/i);
    await fsp.writeFile(source, good);
    const retried = await u.client.call('retryVideo', { params: { id } });
    assert.equal(retried.status, 'processing');
    const ready = await eventually(async () => {
      const v: Video = await u.client.call('video', { params: { id } });
      return v.phase === 'ready' ? v : undefined;
    });
    assert.equal(ready.error, undefined);
    await assert.rejects(u.client.call('retryVideo', { params: { id } }), (e: unknown) => e instanceof ApiError && e.status === 409);
  });

  test('a job left running by a crashed process resumes on restart instead of hanging in processing', async () => {
    const clip = await makeClip(t.ctx.media, tmp, { seconds: 3, width: 360, height: 640, name: 'crash.mp4' });
    await t.ctx.queue.stop(); // the worker of this app stops taking jobs
    const t2 = await createTestApp();
    after(() => t2.close());
    const u2 = await t2.newUser();
    const { id } = await t2.ctx.videos.ingestFile({ id: u2.me.id, username: u2.me.username, roles: ['user'], isMinor: false }, clip, {});
    // Simulate a worker that picked the job and died mid-transcode.
    await t2.ctx.dbh.pool.query("UPDATE pgboss.job SET state = 'active', started_on = now() - interval '5 minutes' WHERE name = 'video.transcode'");
    await t2.ctx.videosRepo.update(id, { phase: 'transcoding', progress: 40 });
    await t2.startWorker(); // a worker fails over jobs whose lease is stale (none here: the taker died), and they retry
    const ready = await eventually(async () => {
      const v = await u2.client.call('video', { params: { id } });
      return v.phase === 'ready' ? v : undefined;
    });
    assert.equal(ready.status, 'ready');
  });
});
