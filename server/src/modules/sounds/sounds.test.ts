import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';

describe('the sound library list', () => {
  let t: TestApp;
  let owner: TestUser;
  before(async () => {
    t = await createTestApp();
    owner = await t.newUser();
  });
  after(() => t.close());

  test('a sound made from a video is listed only while that video is public and ready (as in search and Discover)', async () => {
    const db = t.ctx.dbh.db;
    const sound = async (title: string, videoId: string | null) => {
      const id = crypto.randomUUID();
      await db
        .insertInto('sounds')
        .values({ id, owner_id: owner.me.id, video_id: videoId, title, audio_key: `sounds/${id}/audio.m4a`, duration_ms: 15_000 })
        .execute();
      return id;
    };
    const publicVideo = await insertReadyVideo(t, { userId: owner.me.id, caption: 'out loud', at: new Date() });
    const privateVideo = await insertReadyVideo(t, { userId: owner.me.id, caption: 'just me', at: new Date(), visibility: 'private' });
    const followersVideo = await insertReadyVideo(t, { userId: owner.me.id, caption: 'friends', at: new Date(), visibility: 'followers' });
    const fromPublic = await sound('original sound - public', publicVideo);
    const fromPrivate = await sound('original sound - private', privateVideo);
    const fromFollowers = await sound('original sound - followers', followersVideo);
    const library = await sound('library track', null);
    const listed = async () => {
      const ids = new Set<string>();
      for (const sort of ['new', 'trending'] as const) for (const s of (await t.anon.call('sounds', { query: { sort } })).items) ids.add(s.id);
      return ids;
    };
    let ids = await listed();
    assert.ok(ids.has(fromPublic) && ids.has(library));
    assert.ok(!ids.has(fromPrivate), 'a private video’s sound is not listed');
    assert.ok(!ids.has(fromFollowers), 'a followers-only video’s sound is not listed');
    assert.ok(!(await t.anon.call('sounds', { query: { q: 'original sound - private' } })).items.some((s) => s.id === fromPrivate));
    // The video made private later: its sound leaves the list; made public again, it is back.
    await db.updateTable('videos').set({ visibility: 'private' }).where('id', '=', publicVideo).execute();
    ids = await listed();
    assert.ok(!ids.has(fromPublic));
    await db.updateTable('videos').set({ visibility: 'public' }).where('id', '=', publicVideo).execute();
    assert.ok((await listed()).has(fromPublic));
  });
});
