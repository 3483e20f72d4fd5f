import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ApiError, type Client } from '@flick/contracts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { computeTrending, computeTrendingSounds } from './trends.ts';
import { terms, tsQuery, handle } from './search-text.ts';

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
}

const ago = (ms: number) => new Date(Date.now() - ms);
const H = 3600 * 1000;

describe('search-text (pure)', () => {
  test('terms keep letters and digits only; the tsquery never sees operators', () => {
    assert.deepEqual(terms("Cats & dogs' <script>!|"), ['cats', 'dogs', 'script']);
    assert.equal(tsQuery([['cats'], ['dog', 'dogs']]), 'cats & (dog:* | dogs)');
    assert.equal(handle('@Ana.B '), 'ana.b');
    assert.equal(handle('#Cooking'), 'cooking');
  });
});

describe('discovery', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let admin: TestUser;
  const ids = {} as Record<'pasta' | 'pasta2' | 'dance' | 'priv' | 'carol' | 'xss', string>;

  before(async () => {
    t = await createTestApp({ env: { ADMIN_BOOTSTRAP: '' } });
    alice = await t.newUser({ username: 'alice_cooks', displayName: 'Alice Kitchen' });
    bob = await t.newUser({ username: 'bob_dances', displayName: 'Bob Moves' });
    carol = await t.newUser({ username: 'carol_hidden', displayName: 'Carol' });
    admin = await t.newUser({ username: 'staff_admin' });
    await t.ctx.dbh.db
      .updateTable('users')
      .set({ roles: ['user', 'admin'] })
      .where('id', '=', admin.me.id)
      .execute();
    ids.pasta = await insertReadyVideo(t, { userId: alice.me.id, caption: 'Creamy pasta carbonara #cooking #pasta', at: ago(2 * H), views: 500 });
    ids.pasta2 = await insertReadyVideo(t, { userId: bob.me.id, caption: 'Pasta night with friends #pasta', at: ago(3 * H), views: 5 });
    ids.dance = await insertReadyVideo(t, { userId: bob.me.id, caption: 'Salsa dance tutorial #dance', at: ago(H), views: 50 });
    ids.priv = await insertReadyVideo(t, { userId: alice.me.id, caption: 'Secret pasta recipe #pasta', at: ago(H), visibility: 'private' });
    ids.carol = await insertReadyVideo(t, { userId: carol.me.id, caption: 'Carol pasta from a private account #pasta', at: ago(H) });
    await t.ctx.dbh.db.updateTable('users').set({ is_private: true }).where('id', '=', carol.me.id).execute();
    ids.xss = await insertReadyVideo(t, { userId: bob.me.id, caption: '<img src=x onerror=alert(1)> lasagna #pasta', at: ago(H) });
  });
  after(() => t.close());

  test('search finds videos by caption and hashtag, ranked by relevance and popularity, and never private ones', async () => {
    const r = await t.anon.call('search', { query: { q: 'pasta' } });
    const found = r.videos.map((v) => v.id);
    assert.ok(found.includes(ids.pasta) && found.includes(ids.pasta2), 'both public pasta videos');
    assert.ok(found.indexOf(ids.pasta) < found.indexOf(ids.pasta2), 'the popular one first');
    assert.ok(!found.includes(ids.priv), 'private video excluded');
    assert.ok(!found.includes(ids.carol), "a private account's video excluded");
    assert.ok(r.hashtags.some((h) => h.tag === 'pasta'));
    // Stored as typed, returned as data (the web renders it as text).
    const x = await t.anon.call('search', { query: { q: 'lasagna' } });
    assert.equal(x.videos[0]?.caption, '<img src=x onerror=alert(1)> lasagna #pasta');
  });

  test('search tolerates typos and says what it searched for', async () => {
    const r = await t.anon.call('search', { query: { q: 'carbonnara' } });
    assert.deepEqual(
      r.videos.map((v) => v.id),
      [ids.pasta],
    );
    assert.equal(r.corrected, 'carbonara');
    const users = await t.anon.call('search', { query: { q: 'alice kitchn', type: 'users' } });
    assert.equal(users.users[0]?.username, 'alice_cooks');
  });

  test('search matches as you type (the last word is a prefix)', async () => {
    const r = await t.anon.call('search', { query: { q: 'salsa danc' } });
    assert.deepEqual(
      r.videos.map((v) => v.id),
      [ids.dance],
    );
  });

  test('suggestions as you type: hashtags and people by prefix', async () => {
    const s = await t.anon.call('searchSuggest', { query: { q: 'pa' } });
    assert.equal(s.hashtags[0]?.tag, 'pasta');
    const u = await t.anon.call('searchSuggest', { query: { q: '@bob' } });
    assert.equal(u.users[0]?.username, 'bob_dances');
  });

  test('blocked people disappear from search both ways', async () => {
    await t.ctx.dbh.db.insertInto('blocks').values({ blocker_id: bob.me.id, blocked_id: alice.me.id }).execute();
    try {
      const r = await alice.client.call('search', { query: { q: 'pasta' } });
      assert.ok(!r.videos.some((v) => v.author.id === bob.me.id), "bob's videos hidden from alice");
      const u = await alice.client.call('search', { query: { q: 'bob_dances', type: 'users' } });
      assert.equal(u.users.length, 0);
      const b = await bob.client.call('search', { query: { q: 'carbonara' } });
      assert.equal(b.videos.length, 0, "alice's videos hidden from bob, who blocked her");
    } finally {
      await t.ctx.dbh.db.deleteFrom('blocks').execute();
    }
  });

  test('bad queries are 400 with a clear message', async () => {
    const long = await fetch(`${t.baseUrl}/api/search?q=${'a'.repeat(101)}`);
    assert.equal(long.status, 400);
    assert.match(((await long.json()) as { error: { message: string } }).error.message, /at most 100/);
    assert.equal((await fetch(`${t.baseUrl}/api/search?q=`)).status, 400);
    assert.equal((await fetch(`${t.baseUrl}/api/search?q=x&limit=500`)).status, 400);
    // Only punctuation: nothing to search for, an empty answer (not an error, not a crash).
    const p = await t.anon.call('search', { query: { q: '&|!:*()' } });
    assert.equal(p.videos.length + p.users.length + p.hashtags.length, 0);
  });

  test('hashtag page and its videos; unknown tags are 404, malformed 400', async () => {
    const h = await t.anon.call('hashtag', { params: { tag: 'Pasta' } });
    assert.equal(h.tag, 'pasta');
    assert.ok(h.videos >= 3);
    const v = await t.anon.call('hashtagVideos', { params: { tag: 'pasta' }, query: { sort: 'top', limit: 2 } });
    assert.equal(v.items[0]?.id, ids.pasta);
    assert.ok(v.nextCursor);
    const next = await t.anon.call('hashtagVideos', { params: { tag: 'pasta' }, query: { limit: 2, cursor: v.nextCursor } });
    assert.ok(next.items.every((x) => !v.items.some((y) => y.id === x.id)));
    assert.ok(![...v.items, ...next.items].some((x) => x.id === ids.priv || x.id === ids.carol));
    assert.equal(await status(t.anon.call('hashtag', { params: { tag: 'nosuchtag' } })), 404);
    assert.equal((await fetch(`${t.baseUrl}/api/hashtags/${encodeURIComponent('<b>')}`)).status, 400);
    assert.equal((await fetch(`${t.baseUrl}/api/hashtags/pasta/videos?cursor=abc`)).status, 400);
  });

  test('trends count distinct people with time decay: one spammer cannot trend a tag', async () => {
    // A spammer posts 20 videos with #spamtag and views them with nobody else.
    const spammer = await t.newUser();
    for (let i = 0; i < 20; i++) await insertReadyVideo(t, { userId: spammer.me.id, caption: `buy now ${i} #spamtag`, at: ago(H) });
    // #rising: 4 different people watch a video in the last hours.
    const rising = await insertReadyVideo(t, { userId: alice.me.id, caption: 'New trick #rising', at: ago(5 * H) });
    const viewers = await Promise.all([1, 2, 3, 4].map(() => t.newUser()));
    for (const v of viewers) {
      await v.client.call('events', { body: { events: [{ id: crypto.randomUUID().replace(/-/g, ''), type: 'play', videoId: rising }] } });
      await v.client.call('events', { body: { events: [{ id: crypto.randomUUID().replace(/-/g, ''), type: 'like', videoId: rising }] } });
    }
    for (let i = 0; i < 30; i++)
      await spammer.client.call('events', { body: { events: [{ id: crypto.randomUUID().replace(/-/g, ''), type: 'play', videoId: ids.dance }] } });
    const trends = await computeTrending(t.ctx.dbh.db, new Date());
    const tags = trends.map((x) => x.tag);
    assert.ok(tags.includes('rising'), `rising trends: ${JSON.stringify(trends)}`);
    assert.ok(!tags.includes('spamtag'), 'one person posting many videos does not trend');
    assert.equal(trends.find((x) => x.tag === 'rising')?.people, 5, 'four viewers and the creator');
    // Later the same activity is worth less (decay).
    const later = await computeTrending(t.ctx.dbh.db, new Date(Date.now() + 24 * H));
    assert.ok((later.find((x) => x.tag === 'rising')?.score ?? 0) < trends.find((x) => x.tag === 'rising')!.score);

    t.ctx.discovery.invalidateTrends();
    const d = await t.anon.call('discover');
    const r = d.hashtags.find((h) => h.tag === 'rising');
    assert.ok(r && r.topVideos[0]?.id === rising);
    assert.ok(d.creators.length > 0 && !d.creators.some((c) => c.username === 'carol_hidden'), 'no private accounts suggested');
  });

  test('sounds: videos are found by the title of the sound they use, sounds are a result type with suggestions, hidden sounds stay hidden', async () => {
    const db = t.ctx.dbh.db;
    const sound = async (ownerId: string, title: string, videoId: string | null = null) => {
      const id = crypto.randomUUID();
      await db
        .insertInto('sounds')
        .values({ id, owner_id: ownerId, video_id: videoId, title, audio_key: `sounds/${id}/audio.m4a`, duration_ms: 15_000 })
        .execute();
      return id;
    };
    const use = (videoId: string, soundId: string) => db.insertInto('sound_uses').values({ video_id: videoId, sound_id: soundId }).execute();
    // Bob's library sound, used by two videos whose captions never say "cumbia".
    const cumbia = await sound(bob.me.id, 'Cumbia Sunrise');
    const v1 = await insertReadyVideo(t, { userId: bob.me.id, caption: 'Morning vibes', at: ago(2 * H), views: 40 });
    const v2 = await insertReadyVideo(t, { userId: alice.me.id, caption: 'Beach walk', at: ago(3 * H) });
    await use(v1, cumbia);
    await use(v2, cumbia);
    // Alice's pasta video has its own automatic sound: its title must not make the video match "original".
    await use(ids.pasta, await sound(alice.me.id, 'original sound - @alice_cooks', ids.pasta));
    // A private account's sound.
    await sound(carol.me.id, 'Secret Samba');

    const r = await t.anon.call('search', { query: { q: 'cumbia' } });
    assert.deepEqual(new Set(r.videos.map((v) => v.id)), new Set([v1, v2]), 'videos by their sound title');
    assert.equal(r.sounds[0]?.id, cumbia);
    assert.equal(r.sounds[0]?.owner.username, 'bob_dances');
    assert.equal(r.sounds[0]?.useCount, 2);
    const typo = await t.anon.call('search', { query: { q: 'cumbai', type: 'sounds' } });
    assert.equal(typo.corrected, 'cumbia');
    assert.equal(typo.sounds[0]?.id, cumbia, 'a misspelt sound title is corrected');
    assert.equal(typo.videos.length, 0, 'type=sounds returns sounds only');
    const orig = await t.anon.call('search', { query: { q: 'original', type: 'videos' } });
    assert.ok(!orig.videos.some((v) => v.id === ids.pasta), "a video's own automatic sound title is not part of its document");
    // A caption match outranks a sound-title match of an otherwise equal video.
    const capv = await insertReadyVideo(t, { userId: bob.me.id, caption: 'Sunrise yoga', at: ago(2 * H), views: 40 });
    const sun = await t.anon.call('search', { query: { q: 'sunrise', type: 'videos' } });
    assert.equal(sun.videos[0]?.id, capv);

    const sug = await t.anon.call('searchSuggest', { query: { q: 'cum' } });
    assert.equal(sug.sounds[0]?.title, 'Cumbia Sunrise');
    assert.equal(sug.sounds[0]?.useCount, 2);
    // Private account: no sound for strangers; nothing leaks through suggestions either.
    assert.equal((await t.anon.call('search', { query: { q: 'samba', type: 'sounds' } })).sounds.length, 0);
    assert.equal((await t.anon.call('searchSuggest', { query: { q: 'secret sa' } })).sounds.length, 0);
    // Blocked: alice blocks bob, his sound disappears for her.
    await db.insertInto('blocks').values({ blocker_id: alice.me.id, blocked_id: bob.me.id }).execute();
    try {
      assert.equal((await alice.client.call('search', { query: { q: 'cumbia', type: 'sounds' } })).sounds.length, 0);
    } finally {
      await db.deleteFrom('blocks').execute();
    }
    // The owner turns the sound off: it leaves search, and the videos no longer match its title.
    await db.updateTable('sounds').set({ enabled: false }).where('id', '=', cumbia).execute();
    const off = await t.anon.call('search', { query: { q: 'cumbia' } });
    assert.equal(off.sounds.length + off.videos.length, 0);
    await db.updateTable('sounds').set({ enabled: true, title: 'Cumbia Sunrise (remix)' }).where('id', '=', cumbia).execute();
    assert.equal((await t.anon.call('search', { query: { q: 'remix', type: 'videos' } })).videos.length, 2, 'a renamed sound re-indexes its videos');
    // A video that stops using a sound stops matching it.
    await db.deleteFrom('sound_uses').where('video_id', '=', v2).execute();
    assert.deepEqual(
      (await t.anon.call('search', { query: { q: 'cumbia', type: 'videos' } })).videos.map((v) => v.id),
      [v1],
    );
    await use(v2, cumbia);
  });

  test('trending sounds: velocity with decay over distinct people; one account cannot trend a sound; on Discover', async () => {
    const db = t.ctx.dbh.db;
    const newSound = async (ownerId: string, title: string) => {
      const id = crypto.randomUUID();
      await db
        .insertInto('sounds')
        .values({ id, owner_id: ownerId, video_id: null, title, audio_key: `sounds/${id}/a.m4a`, duration_ms: 9_000 })
        .execute();
      return id;
    };
    const play = (u: TestUser, videoId: string, type: 'play' | 'like' = 'play') =>
      u.client.call('events', { body: { events: [{ id: crypto.randomUUID().replace(/-/g, ''), type, videoId }] } });
    // A spammer's sound on 15 of their own videos, which they play 40 times.
    const spammer = await t.newUser();
    const spam = await newSound(spammer.me.id, 'Spam Beat');
    for (let i = 0; i < 15; i++) {
      const v = await insertReadyVideo(t, { userId: spammer.me.id, caption: `loop ${i}`, at: ago(H) });
      await db.insertInto('sound_uses').values({ video_id: v, sound_id: spam }).execute();
      if (i === 0) for (let k = 0; k < 40; k++) await play(spammer, v);
    }
    // A sound that four different people engage with on two videos.
    const hit = await newSound(bob.me.id, 'Hot Sauce Anthem');
    const a = await insertReadyVideo(t, { userId: bob.me.id, caption: 'hot sauce', at: ago(4 * H) });
    const b = await insertReadyVideo(t, { userId: alice.me.id, caption: 'dancing', at: ago(3 * H) });
    await db
      .insertInto('sound_uses')
      .values([
        { video_id: a, sound_id: hit },
        { video_id: b, sound_id: hit },
      ])
      .execute();
    const fans = await Promise.all([1, 2, 3, 4].map(() => t.newUser()));
    for (const [i, f] of fans.entries()) await play(f, i % 2 ? a : b, i === 0 ? 'like' : 'play');

    const trends = await computeTrendingSounds(db, new Date());
    const top = trends.find((x) => x.soundId === hit);
    assert.ok(top, `the sound trends: ${JSON.stringify(trends)}`);
    assert.equal(top.people, 6, 'four fans and the two creators who posted with it');
    assert.equal(top.videos, 2);
    assert.ok(!trends.some((x) => x.soundId === spam), 'one account posting and playing many times does not trend');
    const later = await computeTrendingSounds(db, new Date(Date.now() + 24 * H));
    assert.ok((later.find((x) => x.soundId === hit)?.score ?? 0) < top.score, 'decays');

    t.ctx.discovery.invalidateTrends();
    const d = await t.anon.call('discover');
    const shown = d.sounds.find((s) => s.sound.id === hit);
    assert.ok(shown, 'Discover lists the trending sound');
    assert.equal(shown.sound.title, 'Hot Sauce Anthem');
    assert.equal(shown.people, 6);
    // A disabled sound leaves Discover at once (its trend row is filtered when shown).
    await db.updateTable('sounds').set({ enabled: false }).where('id', '=', hit).execute();
    assert.ok(!(await t.anon.call('discover')).sounds.some((s) => s.sound.id === hit));
  });

  test('challenges: staff create, feature and upload a banner; others cannot; leaderboard ranks participating videos', async () => {
    const body = {
      slug: 'pasta-week',
      hashtag: '#Pasta',
      title: 'Pasta week <script>alert(1)</script>',
      description: 'Show us your best pasta',
      rules: 'One video per person. Tag #pasta.',
      startsAt: ago(24 * H).toISOString(),
      endsAt: new Date(Date.now() + 6 * 24 * H).toISOString(),
    };
    assert.equal(await status(alice.client.call('createChallenge', { body })), 403);
    assert.equal(await status(t.anon.call('createChallenge', { body })), 401);
    const c = await admin.client.call('createChallenge', { body });
    assert.equal(c.hashtag, 'pasta');
    assert.equal(c.status, 'active');
    assert.equal(c.sponsor, null);
    assert.equal(c.title, body.title, 'stored as text; rendering escapes it');
    assert.equal(await status(admin.client.call('createChallenge', { body })), 409);
    assert.equal(await status(admin.client.call('createChallenge', { body: { ...body, slug: 'bad-dates', endsAt: body.startsAt } })), 400);
    assert.equal(await status(admin.client.call('createChallenge', { body: { ...body, slug: 'Bad Slug!' } })), 400);
    assert.equal(await status(admin.client.call('createChallenge', { body: { ...body, slug: 'long-title', title: 'x'.repeat(101) } })), 400);

    assert.equal(await status(bob.client.call('updateChallenge', { params: { slug: 'pasta-week' }, body: { featured: true } })), 403);
    const f = await admin.client.call('updateChallenge', { params: { slug: 'pasta-week' }, body: { featured: true, sponsor: 'Acme Pasta' } });
    assert.equal(f.featured, true);
    assert.equal(f.sponsor, 'Acme Pasta');
    assert.equal(await status(admin.client.call('updateChallenge', { params: { slug: 'nope' }, body: { featured: true } })), 404);

    const png = await sharp({ create: { width: 900, height: 300, channels: 3, background: '#ff3d6e' } })
      .png()
      .toBuffer();
    const form = () => {
      const fd = new FormData();
      fd.set('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'banner.png');
      return fd;
    };
    assert.equal(await status(alice.client.call('uploadChallengeBanner', { params: { slug: 'pasta-week' }, form: form() })), 403);
    const withBanner = await admin.client.call('uploadChallengeBanner', { params: { slug: 'pasta-week' }, form: form() });
    assert.match(withBanner.bannerUrl ?? '', /^\/media\/challenges\/.+\.webp$/);
    const bad = new FormData();
    bad.set('file', new Blob(['not an image'], { type: 'image/png' }), 'x.png');
    assert.equal(await status(admin.client.call('uploadChallengeBanner', { params: { slug: 'pasta-week' }, form: bad })), 400);

    const board = await t.anon.call('challenge', { params: { slug: 'pasta-week' } });
    assert.equal(board.challenge.participants, 2, 'alice and bob posted #pasta publicly in the window (carol is private, the spam is another tag)');
    assert.equal(board.items[0]?.video.id, ids.pasta);
    assert.ok(!board.items.some((i) => i.video.id === ids.priv || i.video.id === ids.carol));
    assert.deepEqual(
      board.items.map((i) => i.rank),
      board.items.map((_, i) => i + 1),
    );
    const list = await t.anon.call('challenges');
    assert.equal(list.items[0]?.slug, 'pasta-week');
    const tagPage = await t.anon.call('hashtag', { params: { tag: 'pasta' } });
    assert.equal(tagPage.challenge?.slug, 'pasta-week');
    assert.equal(await status(t.anon.call('challenge', { params: { slug: 'missing' } })), 404);

    assert.equal(await status(carol.client.call('deleteChallenge', { params: { slug: 'pasta-week' } })), 403);
    await admin.client.call('createChallenge', { body: { ...body, slug: 'to-delete' } });
    await admin.client.call('deleteChallenge', { params: { slug: 'to-delete' } });
    assert.equal(await status(t.anon.call('challenge', { params: { slug: 'to-delete' } })), 404);
  });

  test('every discovery route answers anonymous readers and refuses anonymous writers', async () => {
    const anon: Client = t.anon;
    assert.equal(await status(anon.call('discover')), 200);
    assert.equal(await status(anon.call('challenges')), 200);
    assert.equal(await status(anon.call('updateChallenge', { params: { slug: 'pasta-week' }, body: { featured: false } })), 401);
    assert.equal(await status(anon.call('deleteChallenge', { params: { slug: 'pasta-week' } })), 401);
  });
});
