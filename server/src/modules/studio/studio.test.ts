import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { ApiError, Edl, type EdlInput, type Render } from '@flick/contracts';
import { createTestApp, eventually, type TestApp, type TestUser } from '../../testing/harness.ts';
import { makeClip } from '../../testing/clips.ts';
import { toneLevel } from '../../testing/tone-level.ts';

/** A little melody: a fingerprintable sound (a steady test tone has too little structure). */
const melody = (k: number) =>
  `aevalsrc='0.5*sin(2*PI*t*220*pow(2\\,mod(floor(t*4)*${k}\\,12)/12))+0.3*sin(2*PI*t*330*pow(2\\,mod(floor(t*3)*(${k}+2)\\,12)/12))':s=44100`;

async function upload(t: TestApp, u: TestUser, file: string, caption: string, visibility = 'public', fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('caption', caption);
  form.set('visibility', visibility);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([await fsp.readFile(file)], { type: 'video/mp4' }), 'clip.mp4');
  const res = await fetch(`${t.baseUrl}/api/videos`, { method: 'POST', headers: { cookie: u.cookie }, body: form });
  assert.equal(res.status, 202);
  const { id } = (await res.json()) as { id: string };
  await eventually(async () => ((await u.client.call('video', { params: { id } })).status === 'ready' ? true : undefined), 120_000);
  return id;
}

async function uploadSound(t: TestApp, u: TestUser, file: string, title: string, listed = true) {
  const form = new FormData();
  form.set('title', title);
  if (!listed) form.set('listed', 'false');
  form.set('file', new Blob([await fsp.readFile(file)]), 'sound.bin');
  const res = await fetch(`${t.baseUrl}/api/sounds`, { method: 'POST', headers: { cookie: u.cookie }, body: form });
  return { status: res.status, body: (await res.json()) as { id: string; error?: { code: string; message: string } } };
}

/**
 * Wait until the worker is idle for this app's data (transcodes, ladders, renders, sound extraction),
 * so closing the database never pulls it from under a running job.
 */
async function settle(t: TestApp) {
  await eventually(async () => {
    const db = t.ctx.dbh.db;
    const videos = await db.selectFrom('videos').select('id').where('phase', 'not in', ['ready', 'failed']).execute();
    const renders = await db.selectFrom('studio_renders').select('id').where('status', 'in', ['queued', 'rendering', 'publishing']).execute();
    const soundless = await db
      .selectFrom('videos')
      .select('id')
      .leftJoin('sound_settings', 'sound_settings.user_id', 'videos.user_id')
      .where('status', '=', 'ready')
      .where('has_audio', '=', true)
      // Videos whose owner said "no sound" never get one.
      .where((eb) => eb(eb.fn.coalesce('videos.make_sound', 'sound_settings.from_uploads', sql<boolean>`true`), '=', true))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('sounds').select('sounds.id').whereRef('sounds.video_id', '=', 'videos.id'))))
      .execute();
    return videos.length + renders.length + soundless.length === 0 ? true : undefined;
  }, 240_000);
}

/** The error a call fails with (status, code, message). */
async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message };
    throw err;
  }
  assert.fail('expected the call to be refused');
}

async function finished(u: TestUser, id: string): Promise<Render> {
  return eventually(
    async () => {
      const r = await u.client.call('render', { params: { id } });
      return r.status === 'done' || r.status === 'failed' ? r : undefined;
    },
    180_000,
    300,
  );
}

describe('studio: EDL renders, duet, stitch, lineage, sounds', () => {
  let t: TestApp;
  let ana: TestUser;
  let ben: TestUser;
  let cy: TestUser;
  let tmp: string;
  let clipA: string;
  let clipB: string;
  let anaV1: string;
  let anaV2: string;
  let benV: string;
  let tone: string;
  before(async () => {
    t = await createTestApp({ worker: true });
    ana = await t.newUser({ username: 'ana_s' });
    ben = await t.newUser({ username: 'ben_s' });
    cy = await t.newUser({ username: 'cy_s' });
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-studio-'));
    clipA = await makeClip(t.ctx.media, tmp, { seconds: 3, width: 180, height: 320, name: 'a.mp4' });
    clipB = await makeClip(t.ctx.media, tmp, { seconds: 2, width: 320, height: 180, name: 'b.mp4' });
    tone = path.join(tmp, 'tone.m4a');
    await t.ctx.media.run(['-f', 'lavfi', '-i', melody(7), '-t', '6', '-c:a', 'aac', tone]);
    [anaV1, anaV2, benV] = await Promise.all([upload(t, ana, clipA, 'one'), upload(t, ana, clipB, 'two'), upload(t, ben, clipA, 'ben here')]);
  });
  after(async () => {
    await settle(t).catch(() => undefined);
    await t.close();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  test('bad EDLs get a 4xx naming the field, and nothing is queued', async () => {
    const base = (extra: Partial<EdlInput> = {}): EdlInput => ({
      version: 1,
      tracks: [{ clips: [{ source: { videoId: anaV1 }, inMs: 0, outMs: 1000 }] }],
      ...extra,
    });
    const cases: [unknown, number, RegExp][] = [
      [{ ...base(), version: 9 }, 400, /^edl\.version: this EDL is from a newer version/],
      [base({ tracks: [{ clips: [{ source: { videoId: anaV1 }, inMs: -1, outMs: 1000 }] }] }), 400, /^edl\.tracks\.0\.clips\.0\.inMs/],
      [
        base({ tracks: [{ clips: [{ source: { videoId: anaV1 }, inMs: 900, outMs: 100 }] }] }),
        400,
        /^edl\.tracks\.0\.clips\.0\.outMs: outMs must be after inMs/,
      ],
      [base({ tracks: [{ clips: [{ source: { videoId: anaV1 }, inMs: 0, outMs: 99_000 }] }] }), 400, /^edl\.tracks\.0\.clips\.0\.outMs: .*past the end/],
      [
        base({ tracks: Array.from({ length: 200 }, () => ({ clips: [{ source: { videoId: anaV1 }, inMs: 0, outMs: 1000 }] })) }),
        400,
        /^edl\.tracks: at most 2/,
      ],
      [base({ text: [{ content: 'x', font: 'Papyrus' as 'sans', startMs: 0, endMs: 500 }] }), 400, /^edl\.text\.0\.font/],
      [base({ audio: [{ soundId: '00000000-0000-4000-8000-000000000000' }] }), 404, /^edl\.audio\.0\.soundId/],
      [base({ tracks: [{ clips: [{ source: { videoId: '00000000-0000-4000-8000-000000000000' }, inMs: 0, outMs: 1000 }] }] }), 404, /source\.videoId/],
    ];
    for (const [edl, status, msg] of cases) {
      const r = await refusal(ana.client.call('createRender', { body: { edl } }));
      assert.equal(r.status, status, `${JSON.stringify(edl).slice(0, 80)} → ${r.message}`);
      assert.match(r.message, msg);
    }
    const fifty = base({ tracks: [{ clips: Array.from({ length: 50 }, () => ({ source: { videoId: anaV1 }, inMs: 0, outMs: 2900, speed: 0.5 })) }] });
    // 50 × 5.8 s = 290 s is fine; the 10-minute limit is checked on the whole timeline.
    assert.equal((await t.ctx.studio.resolve({ ...ana.me, roles: [], isMinor: false }, fifty, 'edit')).durationMs, 290_000);
    const renders = await t.ctx.dbh.db.selectFrom('studio_renders').select('id').execute();
    assert.equal(renders.length, 0);
  });

  let editVideo = '';
  test('ana trims two clips, adds text and a sound; the render publishes through the pipeline', async () => {
    const snd = await uploadSound(t, ana, tone, 'Tiny tune');
    assert.equal(snd.status, 201, JSON.stringify(snd.body));
    const edl: EdlInput = {
      version: 1,
      output: { size: '720x1280', fit: 'letterbox' },
      tracks: [
        {
          clips: [
            { source: { videoId: anaV1 }, inMs: 500, outMs: 2500 },
            { source: { videoId: anaV2 }, inMs: 0, outMs: 1500, transition: { kind: 'crossfade', durationMs: 300 } },
          ],
        },
      ],
      text: [{ content: 'Hello Flick', startMs: 0, endMs: 1500 }],
      audio: [{ soundId: snd.body.id, volume: 0.6 }],
      originalVolume: 0.5,
    };
    const r = await ana.client.call('createRender', { body: { edl, caption: 'my first edit #studio', permissions: { download: false } } });
    assert.equal(r.status, 'queued');
    assert.equal(r.durationMs, 3200);
    assert.equal((await refusal(ben.client.call('render', { params: { id: r.id } }))).status, 404, 'only the owner sees a render');
    const done = await finished(ana, r.id);
    assert.equal(done.status, 'done', done.error ?? '');
    assert.equal(done.progress, 100);
    editVideo = done.videoId!;
    const v = await eventually(async () => {
      const x = await ana.client.call('video', { params: { id: editVideo } });
      return x.status === 'ready' ? x : undefined;
    }, 120_000);
    assert.equal(v.width, 720);
    assert.equal(v.height, 1280);
    assert.ok(Math.abs((v.durationMs ?? 0) - 3200) < 150, `duration ${v.durationMs}`);
    assert.deepEqual(v.hashtags, ['studio']);
    const lin = await ana.client.call('lineage', { params: { id: editVideo } });
    assert.deepEqual(lin.sources, [], 'own clips are not lineage');
    assert.deepEqual(lin.permissions, { duet: true, stitch: true, remix: true, download: false });
    const page = await ana.client.call('sound', { params: { id: snd.body.id } });
    assert.deepEqual(
      page.videos.map((x) => x.id),
      [editVideo],
    );
    assert.equal(page.sound.useCount, 1);
  });

  test('ben duets and stitches ana’s video; lineage shows on both; ana is notified', async () => {
    const duet = await ben.client.call('createRender', {
      body: {
        kind: 'duet',
        edl: {
          version: 1,
          layout: 'duet-side',
          output: { size: '720x1280', fit: 'letterbox' },
          tracks: [{ clips: [{ source: { videoId: editVideo }, inMs: 0, outMs: 3000 }] }, { clips: [{ source: { videoId: benV }, inMs: 0, outMs: 2500 }] }],
        },
        caption: 'duet!',
      },
    });
    const stitchAsDuet = await refusal(
      ben.client.call('createRender', {
        body: {
          kind: 'stitch',
          edl: {
            version: 1,
            layout: 'duet-side',
            tracks: [{ clips: [{ source: { videoId: editVideo }, inMs: 0, outMs: 1000 }] }, { clips: [{ source: { videoId: benV }, inMs: 0, outMs: 1000 }] }],
          },
        },
      }),
    );
    assert.equal(stitchAsDuet.status, 400);
    assert.match(stitchAsDuet.message, /^edl\.layout: a stitch is one track/);
    const stitch = await ben.client.call('createRender', {
      body: {
        kind: 'stitch',
        edl: {
          version: 1,
          output: { size: '720x1280', fit: 'crop' },
          tracks: [
            {
              clips: [
                { source: { videoId: editVideo }, inMs: 0, outMs: 1500 },
                { source: { videoId: benV }, inMs: 0, outMs: 1000 },
              ],
            },
          ],
        },
        caption: 'stitch!',
      },
    });
    const [d, s] = [await finished(ben, duet.id), await finished(ben, stitch.id)];
    assert.equal(d.status, 'done', d.error ?? '');
    assert.equal(s.status, 'done', s.error ?? '');
    for (const id of [d.videoId!, s.videoId!])
      await eventually(async () => ((await ben.client.call('video', { params: { id } })).status === 'ready' ? true : undefined), 120_000);
    const dl = await ben.client.call('lineage', { params: { id: d.videoId! } });
    assert.deepEqual(
      dl.sources.map((x) => x.label),
      ['Duet with @ana_s'],
    );
    const sl = await t.anon.call('lineage', { params: { id: s.videoId! } });
    assert.deepEqual(
      sl.sources.map((x) => x.label),
      ['Stitched from @ana_s'],
    );
    const orig = await t.anon.call('lineage', { params: { id: editVideo } });
    assert.deepEqual(orig.remixes.map((x) => x.label).sort(), ['Duet by @ben_s', 'Stitch by @ben_s']);
    const n = await t.ctx.dbh.db.selectFrom('notifications').select(['text', 'video_id']).where('user_id', '=', ana.me.id).execute();
    assert.deepEqual(n.map((x) => x.text).sort(), ['Duet with your video', 'Stitched from your video']);
  });

  test('permissions: only the creator sets them; forbidden, private and deleted sources stop new remixes', async () => {
    assert.equal((await refusal(ben.client.call('setRemixPermissions', { params: { id: anaV1 }, body: { duet: false } }))).status, 403);
    assert.deepEqual(await ana.client.call('setRemixPermissions', { params: { id: anaV1 }, body: { duet: false } }), {
      duet: false,
      stitch: true,
      remix: true,
      download: true,
    });
    const duetEdl = (src: string) => ({
      version: 1,
      layout: 'duet-top' as const,
      tracks: [{ clips: [{ source: { videoId: src }, inMs: 0, outMs: 1000 }] }, { clips: [{ source: { videoId: benV }, inMs: 0, outMs: 1000 }] }],
    });
    const forbidden = await refusal(ben.client.call('createRender', { body: { kind: 'duet', edl: duetEdl(anaV1) } }));
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.message, /^edl\.tracks\.0\.clips\.0\.source\.videoId: @ana_s does not allow duets/);
    await ana.client.call('updateVideo', { params: { id: anaV2 }, body: { visibility: 'private' } });
    assert.equal((await refusal(ben.client.call('createRender', { body: { kind: 'duet', edl: duetEdl(anaV2) } }))).status, 404);
    // A render queued before its source was deleted (the row and job as createRender leaves them) fails
    // visibly, publishes nothing, and can be retried (and fails again, for the same reason).
    await t.ctx.dbh.db.deleteFrom('videos').where('id', '=', editVideo).execute();
    assert.equal(
      (await refusal(ben.client.call('createRender', { body: { kind: 'duet', edl: duetEdl(editVideo) } }))).status,
      404,
      'a deleted source stops new remixes',
    );
    const queued = { id: crypto.randomUUID() };
    await t.ctx.dbh.db
      .insertInto('studio_renders')
      .values({ id: queued.id, user_id: ben.me.id, kind: 'duet', edl: JSON.stringify(Edl.parse(duetEdl(editVideo))), permissions: '{}', duration_ms: 1000 })
      .execute();
    await t.ctx.queue.send('studio.render', { renderId: queued.id }, { dedupKey: queued.id });
    const failed = await finished(ben, queued.id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /does not exist, was deleted/);
    assert.equal(failed.videoId, null);
    const again = await ben.client.call('retryRender', { params: { id: queued.id } });
    assert.equal(again.status, 'queued');
    assert.equal((await finished(ben, queued.id)).status, 'failed');
    assert.equal((await refusal(cy.client.call('retryRender', { params: { id: queued.id } }))).status, 404);
  });

  test('cancel stops a render; a cancelled render publishes nothing and can be retried', async () => {
    const before = await t.ctx.dbh.db.selectFrom('videos').select('id').execute();
    const long = {
      version: 1,
      tracks: [{ clips: Array.from({ length: 20 }, () => ({ source: { videoId: benV }, inMs: 0, outMs: 2900, speed: 0.5 })) }],
    };
    const r = await ben.client.call('createRender', { body: { edl: long } });
    assert.equal((await refusal(cy.client.call('cancelRender', { params: { id: r.id } }))).status, 404);
    const c = await ben.client.call('cancelRender', { params: { id: r.id } });
    assert.equal(c.status, 'cancelled');
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal((await ben.client.call('render', { params: { id: r.id } })).status, 'cancelled');
    assert.equal((await t.ctx.dbh.db.selectFrom('videos').select('id').execute()).length, before.length);
    const renderDir = path.join(t.dataDir, 'tmp', 'render');
    assert.deepEqual(fs.existsSync(renderDir) ? await fsp.readdir(renderDir) : [], [], 'no scratch output left behind');
  });

  test('sounds: not-audio is refused; uploads become sounds; re-uploads are recognised; owner can turn a sound off', async () => {
    const notAudio = await uploadSound(t, cy, clipA, 'a video');
    assert.equal(notAudio.status, 422);
    assert.equal(notAudio.body.error?.code, 'not_audio');
    const text = path.join(tmp, 'x.txt');
    await fsp.writeFile(text, 'hello');
    assert.equal((await uploadSound(t, cy, text, 'text')).status, 422);
    // ana's video's audio becomes a sound; a re-encoded re-upload of the same audio by cy is linked to it.
    const song = path.join(tmp, 'song.mp4');
    // prettier-ignore
    await t.ctx.media.run(['-f', 'lavfi', '-i', 'testsrc2=size=180x320:rate=15', '-f', 'lavfi', '-i', melody(5), '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-ac', '2', '-shortest', song]);
    const anaSong = await upload(t, ana, song, 'my song');
    const anaSound = await eventually(
      async () => (await t.ctx.dbh.db.selectFrom('sounds').selectAll().where('video_id', '=', anaSong).executeTakeFirst()) ?? undefined,
    );
    assert.equal(anaSound.original_sound_id, null);
    assert.equal(anaSound.title, 'original sound - @ana_s');
    const reenc = path.join(tmp, 'reenc.mp4');
    // prettier-ignore
    await t.ctx.media.run(['-i', song, '-vf', 'scale=144:256', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '35', '-c:a', 'aac', '-b:a', '32k', '-ar', '22050', '-ac', '1', reenc]);
    const cyV = await upload(t, cy, reenc, 'totally original');
    const benSound = await eventually(
      async () => (await t.ctx.dbh.db.selectFrom('sounds').selectAll().where('video_id', '=', benV).executeTakeFirst()) ?? undefined,
    );
    assert.notEqual(benSound.original_sound_id, anaSound.id, 'different audio is not matched');
    const cySound = await eventually(
      async () => (await t.ctx.dbh.db.selectFrom('sounds').selectAll().where('video_id', '=', cyV).executeTakeFirst()) ?? undefined,
    );
    assert.equal(cySound.original_sound_id, anaSound.id, 're-upload recognised');
    const page = await t.anon.call('sound', { params: { id: anaSound.id } });
    assert.ok(page.videos.some((v) => v.id === cyV));
    assert.equal((await refusal(cy.client.call('updateSound', { params: { id: anaSound.id }, body: { enabled: false } }))).status, 403);
    await ana.client.call('updateSound', { params: { id: anaSound.id }, body: { enabled: false } });
    assert.equal((await refusal(t.anon.call('sound', { params: { id: anaSound.id } }))).status, 404);
    const lib = await t.anon.call('sounds', { query: { q: 'tiny' } });
    assert.deepEqual(
      lib.items.map((x) => x.title),
      ['Tiny tune'],
    );
  });

  test('drafts are private to their owner; templates fill slots in one step', async () => {
    const d = await ana.client.call('createDraft', { body: { title: 'wip', edl: { version: 1, tracks: [] } } });
    assert.equal((await ben.client.call('drafts')).items.length, 0);
    assert.equal((await refusal(ben.client.call('updateDraft', { params: { id: d.id }, body: { title: 'x', edl: {} } }))).status, 404);
    assert.equal((await refusal(ben.client.call('deleteDraft', { params: { id: d.id } }))).status, 404);
    assert.equal((await ana.client.call('drafts')).items[0]!.title, 'wip');
    const tpl = await ana.client.call('createTemplate', {
      body: {
        title: 'Intro + you',
        edl: {
          version: 1,
          output: { size: '720x1280' },
          tracks: [{ clips: [{ source: { slot: 'you' }, inMs: 0, outMs: 1000 }] }],
          text: [{ content: 'My turn', startMs: 0, endMs: 900 }],
        },
      },
    });
    assert.deepEqual(tpl.slots, [{ name: 'you', durationMs: 1000 }]);
    const missing = await refusal(ben.client.call('createRender', { body: { edl: null, templateId: tpl.id, slots: {} } }));
    assert.match(missing.message, /slot "you"/);
    const r = await ben.client.call('createRender', { body: { edl: null, templateId: tpl.id, slots: { you: benV } } });
    const done = await finished(ben, r.id);
    assert.equal(done.status, 'done', done.error ?? '');
    assert.equal(done.kind, 'template');
    assert.equal((await t.anon.call('templates')).items[0]!.useCount, 1);
  });

  test('voice-over: an uploaded audio track is mixed into the render where it was placed, and stays private', async () => {
    const voice = path.join(tmp, 'voice.m4a');
    await t.ctx.media.run(['-f', 'lavfi', '-i', 'sine=frequency=1500:sample_rate=48000', '-t', '1.5', '-c:a', 'aac', voice]);
    const vo = await uploadSound(t, ana, voice, 'my voice', false);
    assert.equal(vo.status, 201, JSON.stringify(vo.body));
    // Private: not in the library, not usable by others, not in a template.
    assert.equal((await t.anon.call('sounds', { query: { q: 'my voice' } })).items.length, 0);
    const withVoice = (videoId: string): EdlInput => ({
      version: 1,
      output: { size: '720x1280' },
      tracks: [{ clips: [{ source: { videoId }, inMs: 0, outMs: 3000 }] }],
      audio: [{ soundId: vo.body.id, atMs: 1000, volume: 1.5, fadeInMs: 300 }],
    });
    const theirs = await refusal(ben.client.call('createRender', { body: { edl: withVoice(benV) } }));
    assert.equal(theirs.status, 404);
    assert.match(theirs.message, /^edl\.audio\.0\.soundId: /);
    const asTemplate = await refusal(
      ana.client.call('createTemplate', {
        body: { title: 'with voice', edl: { ...withVoice(anaV1), tracks: [{ clips: [{ source: { slot: 'x' }, inMs: 0, outMs: 3000 }] }] } },
      }),
    );
    assert.equal(asTemplate.status, 400);
    assert.match(asTemplate.message, /^edl\.audio\.0\.soundId: a template can only use sounds from the library/);

    const r = await ana.client.call('createRender', { body: { edl: withVoice(anaV1), caption: 'with my voice' } });
    const done = await finished(ana, r.id);
    assert.equal(done.status, 'done', done.error ?? '');
    const v = await t.ctx.dbh.db.selectFrom('videos').select('source_key').where('id', '=', done.videoId!).executeTakeFirstOrThrow();
    const levels = await t.ctx.blob.withLocalFile(v.source_key!, async (file) => ({
      before: await toneLevel(t.ctx.media, file, 1500, 100, 900),
      during: await toneLevel(t.ctx.media, file, 1500, 1400, 2400),
      after: await toneLevel(t.ctx.media, file, 1500, 2650, 2950),
      original: await toneLevel(t.ctx.media, file, 440, 1400, 2400),
    }));
    assert.ok(levels.before < 0.01, `no voice before 1 s: ${JSON.stringify(levels)}`);
    assert.ok(levels.during > 0.12, `the voice at 1.5 × 0.125 from 1.3 s: ${JSON.stringify(levels)}`);
    assert.ok(levels.after < 0.01, `the voice ends at 2.5 s: ${JSON.stringify(levels)}`);
    assert.ok(levels.original > 0.08, `the original audio stays under it: ${JSON.stringify(levels)}`);
  });

  test('"don\'t turn my upload into a sound": per account and per upload; the sound pipeline honours both', async () => {
    const dan = await t.newUser({ username: 'dan_s' });
    assert.equal((await refusal(t.anon.call('soundSettings'))).status, 401);
    assert.deepEqual(await dan.client.call('soundSettings'), { fromUploads: true });
    const form = new FormData();
    form.set('sound', 'maybe');
    form.set('file', new Blob([await fsp.readFile(clipB)], { type: 'video/mp4' }), 'clip.mp4');
    const bad = await fetch(`${t.baseUrl}/api/videos`, { method: 'POST', headers: { cookie: dan.cookie }, body: form });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'invalid_sound');

    const soundOf = (videoId: string) => t.ctx.dbh.db.selectFrom('sounds').select('id').where('video_id', '=', videoId).executeTakeFirst();
    assert.deepEqual(await dan.client.call('updateSoundSettings', { body: { fromUploads: false } }), { fromUploads: false });
    const quiet = await upload(t, dan, clipB, 'no sound please');
    // The extraction job's own code path, run directly: it declines, and no sound appears.
    assert.equal(await t.ctx.sounds.fromVideo(quiet), null);
    assert.equal(await soundOf(quiet), undefined);
    // This upload says yes although the account says no.
    const loud = await upload(t, dan, clipB, 'this one yes', 'public', { sound: 'on' });
    await eventually(async () => (await soundOf(loud)) ?? undefined);
    // The account says yes again; this upload says no.
    await dan.client.call('updateSoundSettings', { body: { fromUploads: true } });
    const off = await upload(t, dan, clipB, 'not this one', 'public', { sound: 'off' });
    assert.equal(await t.ctx.sounds.fromVideo(off), null);
    assert.equal(await soundOf(off), undefined);
    // Resumable (tus) uploads carry the choice in their metadata, checked when the upload is created.
    const bytes = await fsp.readFile(clipB);
    const b64 = (x: string) => Buffer.from(x).toString('base64');
    const tusCreate = (sound: string) =>
      fetch(`${t.baseUrl}/api/uploads`, {
        method: 'POST',
        headers: {
          cookie: dan.cookie,
          'tus-resumable': '1.0.0',
          'upload-length': String(bytes.length),
          'upload-metadata': `filename ${b64('c.mp4')},sound ${b64(sound)}`,
        },
      });
    const tusBad = await tusCreate('maybe');
    assert.equal(tusBad.status, 400);
    assert.match(await tusBad.text(), /invalid_sound/);
    const created = await tusCreate('off');
    assert.equal(created.status, 201);
    const sent = await fetch(new URL(created.headers.get('location')!, t.baseUrl), {
      method: 'PATCH',
      headers: { cookie: dan.cookie, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      body: new Uint8Array(bytes),
    });
    assert.equal(sent.status, 204);
    const tusId = sent.headers.get('flick-video-id')!;
    const row = await t.ctx.dbh.db.selectFrom('videos').select('make_sound').where('id', '=', tusId).executeTakeFirstOrThrow();
    assert.equal(row.make_sound, false);
  });

  test('templates: slots start at 0 with their length; details by id; a broken template is refused naming the field', async () => {
    const tpl = await ana.client.call('createTemplate', {
      body: {
        title: 'You, then me',
        edl: {
          version: 1,
          tracks: [
            {
              clips: [
                { source: { slot: 'you' }, inMs: 500, outMs: 1700 },
                { source: { videoId: anaV1 }, inMs: 0, outMs: 1000 },
              ],
            },
          ],
        },
      },
    });
    assert.deepEqual(tpl.slots, [{ name: 'you', durationMs: 1200 }]);
    const got = await t.anon.call('template', { params: { id: tpl.id } });
    const clip0 = (got.edl as { tracks: { clips: { inMs: number; outMs: number }[] }[] }).tracks[0]!.clips[0]!;
    assert.deepEqual([clip0.inMs, clip0.outMs], [0, 1200]);
    assert.equal((await refusal(t.anon.call('template', { params: { id: crypto.randomUUID() } }))).status, 404);
    const late = await refusal(
      ana.client.call('createTemplate', {
        body: {
          title: 'late text',
          edl: { version: 1, tracks: [{ clips: [{ source: { slot: 'a' }, inMs: 0, outMs: 1000 }] }], text: [{ content: 'hi', startMs: 1500, endMs: 2000 }] },
        },
      }),
    );
    assert.equal(late.status, 400);
    assert.match(late.message, /^edl\.text\.0\./);
    const tooLong = await refusal(
      ana.client.call('createTemplate', {
        body: {
          title: 'x',
          edl: {
            version: 1,
            tracks: [
              {
                clips: [
                  { source: { slot: 'a' }, inMs: 0, outMs: 1000 },
                  { source: { videoId: anaV1 }, inMs: 0, outMs: 9000 },
                ],
              },
            ],
          },
        },
      }),
    );
    assert.match(tooLong.message, /^edl\.tracks\.0\.clips\.1\.outMs: /);
    // A private clip would fail for everyone else: refused at publish time (anaV2 was made private above).
    const priv = await refusal(
      ana.client.call('createTemplate', {
        body: {
          title: 'x',
          edl: {
            version: 1,
            tracks: [
              {
                clips: [
                  { source: { slot: 'a' }, inMs: 0, outMs: 1000 },
                  { source: { videoId: anaV2 }, inMs: 0, outMs: 1000 },
                ],
              },
            ],
          },
        },
      }),
    );
    assert.equal(priv.status, 403);
    assert.match(priv.message, /^edl\.tracks\.0\.clips\.1\.source\.videoId: a template's own clips must be public/);
    // Filling the slot with a clip shorter than it names the field.
    const short = path.join(tmp, 'short.mp4');
    await makeClip(t.ctx.media, tmp, { seconds: 1, width: 180, height: 320, name: 'short.mp4' });
    const benShort = await upload(t, ben, short, 'short');
    const r = await refusal(ben.client.call('createRender', { body: { edl: null, templateId: tpl.id, slots: { you: benShort } } }));
    assert.equal(r.status, 400);
    assert.match(r.message, /^edl\.tracks\.0\.clips\.0\.outMs: /);
  });
});
