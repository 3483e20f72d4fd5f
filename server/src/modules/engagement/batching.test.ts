import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { AppError } from '../../http/errors.ts';

/**
 * The group-committed write paths: comments and follows that arrive in the same turn of the event
 * loop share one batch statement (the services are called directly, all at once, so they do); each
 * request still gets its own answer, and a refused one changes nothing.
 */

type Outcome = { ok: true; value: unknown } | { ok: false; status: number; code: string };
const settle = (ps: Promise<unknown>[]) =>
  Promise.all(
    ps.map((p) =>
      p.then(
        (value): Outcome => ({ ok: true, value }),
        (e: unknown): Outcome => {
          assert.ok(e instanceof AppError, String(e));
          return { ok: false, status: e.status, code: e.code };
        },
      ),
    ),
  );

async function age(t: TestApp, ...users: TestUser[]) {
  await t.ctx.dbh.db
    .updateTable('users')
    .set({ created_at: new Date(Date.now() - 30 * 86_400_000) })
    .where(
      'id',
      'in',
      users.map((u) => u.me.id),
    )
    .execute();
}

describe('batched comments and follows', () => {
  let t: TestApp;
  let creator: TestUser;
  let fans: TestUser[];
  before(async () => {
    t = await createTestApp();
    creator = await t.newUser();
    fans = [];
    for (let i = 0; i < 12; i++) fans.push(await t.newUser());
    await age(t, creator, ...fans);
  });
  after(() => t.close());

  const commentCount = async (videoId: string) =>
    Number((await t.ctx.dbh.db.selectFrom('videos').select('comment_count').where('id', '=', videoId).executeTakeFirstOrThrow()).comment_count);
  const rowsOf = (videoId: string) => t.ctx.dbh.db.selectFrom('comments').select(['id', 'user_id', 'hidden']).where('video_id', '=', videoId).execute();

  test('concurrent comments from many users in one batch: each written and notified; the invalid ones alone get their 4xx', async () => {
    const v = await insertReadyVideo(t, { userId: creator.me.id, caption: 'batch me', at: new Date() });
    const elsewhere = await insertReadyVideo(t, { userId: creator.me.id, caption: 'another', at: new Date() });
    const foreignParent = await t.ctx.comments.add(fans[0]!.me, elsewhere, { text: 'on the other video' });
    const blocker = fans[11]!;
    await blocker.client.call('block', { params: { username: fans[10]!.me.username } });
    const privateVideo = await insertReadyVideo(t, { userId: blocker.me.id, caption: 'mine only', at: new Date(), visibility: 'private' });

    const good = fans.slice(0, 8);
    const out = await settle([
      ...good.map((f, i) => t.ctx.comments.add(f.me, v, { text: `comment number ${i} for @${fans[9]!.me.username}` })),
      t.ctx.comments.add(fans[8]!.me, v, { text: 'wrong thread', parentId: foreignParent.id }),
      t.ctx.comments.add(fans[9]!.me, v, { text: 'too many links a.com b.com c.com' }),
      t.ctx.comments.add(fans[10]!.me, privateVideo, { text: 'cannot see it' }),
    ]);
    assert.ok(
      out.slice(0, 8).every((o) => o.ok),
      JSON.stringify(out),
    );
    assert.deepEqual(out.slice(8), [
      { ok: false, status: 400, code: 'wrong_video' },
      { ok: false, status: 400, code: 'too_many_links' },
      { ok: false, status: 404, code: 'not_found' },
    ]);
    const rows = await rowsOf(v);
    assert.deepEqual(rows.map((r) => r.user_id).sort(), good.map((f) => f.me.id).sort());
    assert.equal(await commentCount(v), 8);
    assert.equal((await rowsOf(privateVideo)).length, 0);
    // The creator hears of each one; the person mentioned once per comment.
    const creatorNotes = await t.ctx.dbh.db.selectFrom('notifications').select('type').where('user_id', '=', creator.me.id).where('video_id', '=', v).execute();
    assert.equal(creatorNotes.filter((n) => n.type === 'comment').length, 8);
    const mentions = await t.ctx.dbh.db
      .selectFrom('notifications')
      .select('comment_id')
      .where('user_id', '=', fans[9]!.me.id)
      .where('type', '=', 'mention')
      .execute();
    assert.equal(mentions.length, 8);
    const events = await t.ctx.dbh.db.selectFrom('events').select('user_id').where('video_id', '=', v).where('type', '=', 'comment').execute();
    assert.equal(events.length, 8);
  });

  test('replies, the keyword filter and comment controls in one batch; the same author twice waits for the next batch', async () => {
    const v = await insertReadyVideo(t, { userId: creator.me.id, caption: 'threads', at: new Date() });
    const top = await t.ctx.comments.add(fans[0]!.me, v, { text: 'the thread starts' });
    await creator.client.call('updateEngagementSettings', { body: { commentFilter: ['forbidden'] } });
    try {
      const out = await settle([
        t.ctx.comments.add(fans[1]!.me, v, { text: 'a reply', parentId: top.id }),
        t.ctx.comments.add(fans[2]!.me, v, { text: 'this is FORBIDDEN talk' }),
        t.ctx.comments.add(fans[3]!.me, v, { text: 'same words twice' }),
        t.ctx.comments.add(fans[3]!.me, v, { text: 'Same  words twice!' }),
        t.ctx.comments.add(creator.me, v, { text: 'forbidden is fine for me', parentId: top.id }),
      ]);
      assert.ok(out[0]!.ok && out[1]!.ok && out[2]!.ok && out[4]!.ok, JSON.stringify(out));
      assert.deepEqual(out[3], { ok: false, status: 409, code: 'duplicate_comment' });
      const reply = (out[0] as { value: { parentId: string; hidden: boolean } }).value;
      assert.equal(reply.parentId, top.id);
      assert.equal((out[1] as { value: { hidden: boolean } }).value.hidden, true, 'filtered for everyone but its author');
      assert.equal((out[4] as { value: { hidden: boolean } }).value.hidden, false, "the creator's own words are not filtered");
      // Visible: the thread, two replies and one top-level comment; the filtered one is not counted.
      assert.equal(await commentCount(v), 4);
      const thread = await t.ctx.dbh.db.selectFrom('comments').select('reply_count').where('id', '=', top.id).executeTakeFirstOrThrow();
      assert.equal(Number(thread.reply_count), 2);
      const replyNotes = await t.ctx.dbh.db
        .selectFrom('notifications')
        .select(['type', 'actor_id'])
        .where('user_id', '=', fans[0]!.me.id)
        .where('video_id', '=', v)
        .execute();
      assert.deepEqual(replyNotes.map((n) => n.type).sort(), ['reply', 'reply']);
      assert.deepEqual(await t.ctx.engagement.reconcile([v]), { videos: 0, comments: 0 }, 'the counters needed no repair');

      await creator.client.call('updateEngagementSettings', { body: { commentPolicy: 'followers' } });
      await fans[4]!.client.call('follow', { params: { username: creator.me.username } });
      const gated = await settle([t.ctx.comments.add(fans[4]!.me, v, { text: 'a follower' }), t.ctx.comments.add(fans[5]!.me, v, { text: 'not a follower' })]);
      assert.ok(gated[0]!.ok);
      assert.deepEqual(gated[1], { ok: false, status: 403, code: 'comments_closed' });
    } finally {
      await creator.client.call('updateEngagementSettings', { body: { commentPolicy: 'everyone', commentFilter: [] } });
    }
  });

  test('concurrent follows in one batch: counted once, notified once each; self, blocked and private ones answered as before', async () => {
    const star = await t.newUser();
    const priv = await t.newUser();
    await priv.client.call('updateEngagementSettings', { body: { isPrivate: true } });
    await star.client.call('block', { params: { username: fans[7]!.me.username } });
    const followers = fans.slice(0, 6);
    const out = await settle([
      ...followers.map((f) => t.ctx.social.follow(f.me, star.me.username)),
      t.ctx.social.follow(fans[0]!.me, star.me.username.toUpperCase()), // the same follow twice in one batch
      t.ctx.social.follow(star.me, star.me.username),
      t.ctx.social.follow(fans[7]!.me, star.me.username),
      t.ctx.social.follow(fans[8]!.me, priv.me.username),
      t.ctx.social.follow(fans[8]!.me, 'nobody_by_this_name'),
    ]);
    assert.ok(
      out.slice(0, 7).every((o) => o.ok && (o.value as { isFollowing: boolean }).isFollowing),
      JSON.stringify(out),
    );
    assert.deepEqual(out.slice(7, 9), [
      { ok: false, status: 400, code: 'cannot_follow_self' },
      { ok: false, status: 404, code: 'not_found' },
    ]);
    const asked = out[9] as { ok: true; value: { isFollowing: boolean; requested: boolean } };
    assert.deepEqual([asked.value.isFollowing, asked.value.requested], [false, true]);
    assert.deepEqual(out[10], { ok: false, status: 404, code: 'not_found' });
    const rows = await t.ctx.dbh.db.selectFrom('follows').select('follower_id').where('followee_id', '=', star.me.id).execute();
    assert.deepEqual(rows.map((r) => r.follower_id).sort(), followers.map((f) => f.me.id).sort());
    const notes = await t.ctx.dbh.db.selectFrom('notifications').select('actor_id').where('user_id', '=', star.me.id).where('type', '=', 'follow').execute();
    assert.equal(notes.length, 6);
    const group = (await star.client.call('notifications', { query: {} })).items.find((i) => i.type === 'follow');
    assert.equal(group?.actorCount, 6);
    assert.equal((await t.anon.call('profile', { params: { username: star.me.username } })).followers, 6);
  });
});
