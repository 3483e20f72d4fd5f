import { after, before, describe, test } from 'node:test';
import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/env.ts';
import { createContext, type AppContext } from '../../context.ts';
import { openDb } from '../../platform/db/db.ts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { createViewerRelations } from './viewer-relations.ts';

/**
 * The signed-in feed's visibility check reads each viewer's blocks, mutes and follows from a
 * per-viewer cache: no query on a page without a change, and a block, mute or follow takes effect
 * on the very next page.
 */
describe('per-viewer relations cache behind the feeds', () => {
  let t: TestApp;
  let loud: TestUser;
  let others: TestUser[];
  const byAuthor = new Map<string, string>();
  before(async () => {
    t = await createTestApp();
    loud = await t.newUser();
    others = [await t.newUser(), await t.newUser(), await t.newUser()];
    // One prolific creator whose videos people watch to the end (so the recommender puts two of them,
    // the most one creator may have, on nearly every page) among three smaller ones.
    let n = 0;
    const loudVideos: string[] = [];
    for (let i = 0; i < 16; i++)
      loudVideos.push(await insertReadyVideo(t, { userId: loud.me.id, caption: `loud ${i} #clips`, at: new Date(Date.now() - n++ * 60_000) }));
    for (const id of loudVideos) byAuthor.set(id, loud.me.id);
    for (const o of others)
      for (let i = 0; i < 6; i++)
        byAuthor.set(await insertReadyVideo(t, { userId: o.me.id, caption: `other ${i} #clips`, at: new Date(Date.now() - n++ * 60_000) }), o.me.id);
    await t.ctx.recsys.reloadCatalog();
    for (let f = 0; f < 3; f++) {
      const fan = await t.newUser();
      const events = loudVideos.flatMap((videoId) =>
        (['impression', 'play', 'complete'] as const).map((type) => ({
          id: crypto.randomUUID().replace(/-/g, ''),
          type,
          videoId,
          watchMs: 10_000,
          durationMs: 10_000,
        })),
      );
      await fan.client.call('events', { body: { events } });
    }
    t.ctx.recsys.engine.refreshLists(Date.now());
  });
  after(() => t.close());

  const page = async (u: TestUser, cursor?: string, mode: 'personal' | 'popular' = 'personal') => {
    const p = await u.client.call('forYou', { query: { limit: 6, cursor, mode } });
    return { cursor: p.nextCursor ?? undefined, authors: p.items.map((i) => i.video.author.id) };
  };
  const loads = () => t.ctx.social.viewerRelations.loads;

  test('a block takes effect on the very next page, an unblock too; pages in between ask the database nothing', async () => {
    const viewer = await t.newUser();
    const p1 = await page(viewer);
    assert.ok(
      p1.authors.includes(loud.me.id),
      `the popular creator is on the first page: ${JSON.stringify((await viewer.client.call('forYou', { query: { limit: 6 } })).items.map((i) => [i.video.author.id === loud.me.id, i.reason, i.video.caption]))}`,
    );
    const l1 = loads();
    const p2 = await page(viewer, p1.cursor);
    assert.ok(p2.authors.includes(loud.me.id));
    assert.equal(loads(), l1, 'a page without a change is served from the cache');

    await viewer.client.call('block', { params: { username: loud.me.username } });
    const p3 = await page(viewer, p2.cursor);
    assert.equal(p3.authors.length, 6);
    assert.ok(!p3.authors.includes(loud.me.id), `blocked on the next page: ${p3.authors.join(',')}`);
    assert.equal(loads(), l1 + 1, 'the block dropped the cache: one read');
    const p4 = await page(viewer, p3.cursor);
    assert.ok(!p4.authors.includes(loud.me.id));
    assert.ok(!(await page(viewer, undefined, 'popular')).authors.includes(loud.me.id), 'popular mode too');
    assert.equal(loads(), l1 + 1);
    // The blocked side is dropped too: the blocker's videos leave the blocked user's feed at once.
    const mine = await insertReadyVideo(t, { userId: viewer.me.id, caption: 'viewer clip #clips', at: new Date(), views: 10_000 });
    await t.ctx.recsys.refreshVideo(mine);
    t.ctx.feed.invalidate(mine);
    const loudFeed = await loud.client.call('forYou', { query: { limit: 20, mode: 'popular' } });
    assert.ok(!loudFeed.items.some((i) => i.video.id === mine), "the blocker's video stays out of the blocked user's feed");

    await viewer.client.call('unblock', { params: { username: loud.me.username } });
    const p5 = await page(viewer, undefined);
    assert.ok(
      p5.authors.includes(loud.me.id),
      `unblocked on the next page: ${JSON.stringify((await viewer.client.call('forYou', { query: { limit: 6 } })).items.map((i) => [i.video.author.id === loud.me.id, i.reason, i.video.caption]))}`,
    );
  });

  test('mute and unmute take effect on the next page', async () => {
    const viewer = await t.newUser();
    const p1 = await page(viewer);
    assert.ok(p1.authors.includes(loud.me.id));
    await viewer.client.call('mute', { params: { username: loud.me.username } });
    const p2 = await page(viewer, p1.cursor);
    assert.ok(!p2.authors.includes(loud.me.id), 'muted on the next page');
    await viewer.client.call('unmute', { params: { username: loud.me.username } });
    const p3 = await page(viewer, p2.cursor);
    assert.ok(p3.authors.includes(loud.me.id), 'unmuted on the next page');
  });

  test("a private account: hidden until the viewer's follow request is approved, hidden again when removed", async () => {
    const priv = others[0]!;
    const viewer = await t.newUser();
    await priv.client.call('updateEngagementSettings', { body: { isPrivate: true } });
    try {
      const all = async () => {
        const authors: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 10; i++) {
          const p = await page(viewer, cursor, 'popular');
          authors.push(...p.authors);
          if (!(cursor = p.cursor)) break;
        }
        return authors;
      };
      assert.ok(!(await all()).includes(priv.me.id), 'a private account is hidden from a non-follower');
      await viewer.client.call('follow', { params: { username: priv.me.username } });
      await priv.client.call('approveFollowRequest', { params: { username: viewer.me.username } });
      assert.ok((await all()).includes(priv.me.id), 'approved: on the next pages');
      await priv.client.call('removeFollower', { params: { username: viewer.me.username } });
      assert.ok(!(await all()).includes(priv.me.id), 'removed: hidden again at once');
    } finally {
      await priv.client.call('updateEngagementSettings', { body: { isPrivate: false } });
    }
  });

  test('a read that races with a write is not cached; the TTL bounds what another process may miss', async () => {
    const viewer = await t.newUser();
    const rel = createViewerRelations(t.ctx.dbh.db, { ttlMs: 50 });
    const racing = rel.of(viewer.me.id);
    void rel.invalidate(viewer.me.id); // a write lands while the read is in flight
    await racing;
    await rel.of(viewer.me.id);
    assert.equal(rel.loads, 2, 'the raced read was not kept');
    await rel.of(viewer.me.id);
    assert.equal(rel.loads, 2, 'the second one was');
    // A block written by "another process" (straight to the table): seen once the TTL runs out.
    await t.ctx.dbh.db.insertInto('blocks').values({ blocker_id: viewer.me.id, blocked_id: loud.me.id }).execute();
    assert.ok(!(await rel.of(viewer.me.id)).hidden.has(loud.me.id), 'within the TTL: the cached view');
    await new Promise((r) => setTimeout(r, 60));
    assert.ok((await rel.of(viewer.me.id)).hidden.has(loud.me.id), 'after the TTL: read afresh');
    await t.ctx.dbh.db.deleteFrom('blocks').where('blocker_id', '=', viewer.me.id).execute();
  });
});

/**
 * Two API processes on one PostgreSQL database (two contexts here): a block or mute written through
 * one reaches the other's cache by NOTIFY at once, not after the 10 s TTL. PGlite is one process.
 */
describe('cross-process invalidation of the relations cache', { skip: process.env.DATABASE_URL ? false : 'needs PostgreSQL (DATABASE_URL)' }, () => {
  let t: TestApp;
  let other: AppContext;
  let otherDir: string;
  before(async () => {
    t = await createTestApp();
    otherDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-test-b-'));
    const dbh = await openDb({ kind: 'postgres', url: t.ctx.dbh.pool.options.connectionString!, max: 3 });
    const config = loadConfig({ DATA_DIR: otherDir, LOG_LEVEL: 'warn', SEED_DEMO: '0', PORT: '0' });
    other = await createContext(config, { dbh, log: pino({ level: 'warn' }) });
  });
  after(async () => {
    await other.close();
    await fsp.rm(otherDir, { recursive: true, force: true });
    await t.close();
  });

  /** Polls the other process's visibility hook until `want` holds; the time it took. */
  const seenElsewhere = async (viewerId: string, authorId: string, want: boolean) => {
    const t0 = Date.now();
    while (Date.now() - t0 < 5_000) {
      if ((await other.social.hiddenAuthors(viewerId, [authorId])).has(authorId) === want) return Date.now() - t0;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.fail(`the other process did not see ${want ? 'a hide' : 'an unhide'} within 5 s`);
  };

  test('block, unblock, mute and unmute through one process take effect in the other at once', async () => {
    const viewer = await t.newUser();
    const creator = await t.newUser();
    const relB = other.social.viewerRelations;
    assert.equal((await other.social.hiddenAuthors(viewer.me.id, [creator.me.id])).size, 0);
    assert.equal((await other.social.hiddenAuthors(creator.me.id, [viewer.me.id])).size, 0);
    const cached = relB.loads;
    await other.social.hiddenAuthors(viewer.me.id, [creator.me.id]);
    assert.equal(relB.loads, cached, 'the other process serves the viewer from its cache (10 s TTL)');

    const took: number[] = [];
    await viewer.client.call('block', { params: { username: creator.me.username } });
    took.push(await seenElsewhere(viewer.me.id, creator.me.id, true));
    took.push(await seenElsewhere(creator.me.id, viewer.me.id, true)); // the blocked side too
    await viewer.client.call('unblock', { params: { username: creator.me.username } });
    took.push(await seenElsewhere(viewer.me.id, creator.me.id, false));
    took.push(await seenElsewhere(creator.me.id, viewer.me.id, false));
    await viewer.client.call('mute', { params: { username: creator.me.username } });
    took.push(await seenElsewhere(viewer.me.id, creator.me.id, true));
    await viewer.client.call('unmute', { params: { username: creator.me.username } });
    took.push(await seenElsewhere(viewer.me.id, creator.me.id, false));
    // Far inside the TTL: the message, not the expiry, dropped the other process's entry.
    assert.ok(Math.max(...took) < 1_000, `seen elsewhere after ${took.join(', ')} ms`);
    // A process ignores its own messages: after settling, a cached page costs no read there.
    await new Promise((r) => setTimeout(r, 100));
    const l = t.ctx.social.viewerRelations.loads;
    await t.ctx.social.hiddenAuthors(viewer.me.id, [creator.me.id]);
    await t.ctx.social.hiddenAuthors(viewer.me.id, [creator.me.id]);
    assert.equal(t.ctx.social.viewerRelations.loads, l + 1, 'one read after the unmute, then the cache');
  });
});
