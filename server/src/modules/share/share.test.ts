import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '@flick/contracts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { clip, escapeHtml, injectMeta, FALLBACK_INDEX_HTML } from './meta.ts';

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
}

/** The content of <meta property|name="key">, unescaped. */
function meta(html: string, key: string): string | undefined {
  const m = new RegExp(`<meta (?:property|name)="${key.replace(/[.:]/g, '\\$&')}" content="([^"]*)"`).exec(html);
  return m?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('meta (pure)', () => {
  test('escapes every character that could end an attribute or open a tag', () => {
    assert.equal(escapeHtml(`"><script>alert('x')</script>&`), '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;');
    assert.equal(clip('a\u0000b\n\nc', 10), 'a b c');
    assert.equal(clip('one two three four five', 12), 'one two…');
    const html = injectMeta(FALLBACK_INDEX_HTML, { title: '</title><script>x</script>', description: 'd', url: 'http://h/v/1', type: 'website' });
    assert.ok(!html.includes('<script>x'));
    assert.equal((html.match(/<title>/g) ?? []).length, 1);
    assert.equal((html.match(/name="description"/g) ?? []).length, 1);
  });
});

describe('share pages, oEmbed and share counting', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let priv: TestUser;
  let video: string;
  let hidden: string;
  let privAccountVideo: string;
  const evil = `Best "day" ever </title><script>alert('pwned')</script> & more #fun`;

  before(async () => {
    t = await createTestApp({ env: { PUBLIC_URL: 'https://flick.example' } });
    alice = await t.newUser({ username: 'alice_share', displayName: `Alice "<b>bold</b>"` });
    bob = await t.newUser({ username: 'bob_share' });
    priv = await t.newUser({ username: 'priv_share' });
    await t.ctx.dbh.db.updateTable('users').set({ is_private: true }).where('id', '=', priv.me.id).execute();
    video = await insertReadyVideo(t, { userId: alice.me.id, caption: evil, at: new Date(), views: 42 });
    await t.ctx.dbh.db
      .updateTable('videos')
      .set({ poster_key: `videos/${video}/poster.jpg`, width: 1080, height: 1920 })
      .where('id', '=', video)
      .execute();
    hidden = await insertReadyVideo(t, { userId: alice.me.id, caption: 'followers only secret', at: new Date(), visibility: 'followers' });
    privAccountVideo = await insertReadyVideo(t, { userId: priv.me.id, caption: 'private account video', at: new Date() });
  });
  after(() => t.close());

  test('a public video page carries escaped Open Graph, Twitter and oEmbed tags', async () => {
    const res = await fetch(`${t.baseUrl}/v/${video}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const html = await res.text();
    assert.ok(!html.includes("<script>alert('pwned')"), 'caption cannot inject markup');
    assert.ok(!html.includes('<b>bold</b>'), 'display name cannot inject markup');
    assert.equal(meta(html, 'og:type'), 'video.other');
    assert.equal(meta(html, 'og:url'), `https://flick.example/v/${video}`);
    assert.match(meta(html, 'og:title') ?? '', /^Best "day" ever <\/title><script>/);
    assert.match(meta(html, 'og:description') ?? '', /42 views/);
    assert.equal(meta(html, 'og:image'), `https://flick.example/media/videos/${video}/poster.jpg`);
    assert.equal(meta(html, 'og:video'), `https://flick.example/embed/${video}`);
    assert.equal(meta(html, 'twitter:card'), 'player');
    assert.equal(meta(html, 'twitter:player'), `https://flick.example/embed/${video}`);
    const oembedHref = /<link rel="alternate" type="application\/json\+oembed" href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(oembedHref?.startsWith('https://flick.example/api/oembed?'));
    assert.equal((html.match(/<title>/g) ?? []).length, 1);

    // The discovered oEmbed URL works against this server.
    const discovered = new URL(oembedHref!);
    const o = await fetch(`${t.baseUrl}${discovered.pathname}${discovered.search}`);
    assert.equal(o.status, 200);
    const body = (await o.json()) as { type: string; html: string; width: number; height: number; author_name: string; thumbnail_url: string };
    assert.equal(body.type, 'video');
    assert.match(body.html, new RegExp(`^<iframe src="https://flick.example/embed/${video}"`));
    assert.equal(body.author_name, `Alice "<b>bold</b>"`);
    assert.ok(!body.html.includes('<b>'), 'iframe title attribute is escaped');
    assert.deepEqual([body.width, body.height], [325, 578]);
    const small = await t.anon.call('oembed', { query: { url: `https://flick.example/v/${video}`, maxwidth: 200 } });
    assert.equal(small.width, 200);
  });

  test('private, followers-only, private-account, blocked and unknown videos get no preview', async () => {
    for (const id of [hidden, privAccountVideo]) {
      const html = await (await fetch(`${t.baseUrl}/v/${id}`)).text();
      assert.equal(meta(html, 'og:title'), undefined, `no preview for ${id}`);
      assert.ok(!html.includes('secret') && !html.includes('private account video'));
      assert.equal(await status(t.anon.call('oembed', { query: { url: `https://flick.example/v/${id}` } })), 404);
    }
    const missing = await fetch(`${t.baseUrl}/v/00000000-0000-4000-8000-000000000000`);
    assert.equal(missing.status, 404);
    assert.equal((await fetch(`${t.baseUrl}/v/not-a-uuid`)).status, 404);
    assert.equal((await fetch(`${t.baseUrl}/@no_such_user_here`)).status, 404);

    await t.ctx.dbh.db.insertInto('blocks').values({ blocker_id: alice.me.id, blocked_id: bob.me.id }).execute();
    try {
      const html = await (await fetch(`${t.baseUrl}/v/${video}`, { headers: { cookie: bob.cookie } })).text();
      assert.equal(meta(html, 'og:title'), undefined, 'someone alice blocked sees no preview');
      assert.equal(await status(bob.client.call('shareInfo', { params: { id: video } })), 404);
    } finally {
      await t.ctx.dbh.db.deleteFrom('blocks').execute();
    }
    // oEmbed for another site's URL, or not JSON.
    assert.equal(await status(t.anon.call('oembed', { query: { url: `https://evil.example/v/${video}` } })), 404);
    assert.equal(await status(t.anon.call('oembed', { query: { url: `https://flick.example/v/${video}`, format: 'xml' } })), 501);
  });

  test('a profile page has a profile card; a private account has none', async () => {
    const html = await (await fetch(`${t.baseUrl}/@alice_share`)).text();
    assert.equal(meta(html, 'og:type'), 'profile');
    assert.equal(meta(html, 'og:title'), `Alice "<b>bold</b>" (@alice_share) on Flick`);
    assert.match(meta(html, 'og:description') ?? '', /1 videos/);
    const p = await (await fetch(`${t.baseUrl}/@priv_share`)).text();
    assert.equal(meta(p, 'og:title'), undefined);
  });

  test('the embed page may be framed by any site and is not indexed', async () => {
    const res = await fetch(`${t.baseUrl}/embed/${video}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), 'frame-ancestors *');
    assert.equal(meta(await res.text(), 'robots'), 'noindex');
    assert.equal((await fetch(`${t.baseUrl}/v/${video}`)).headers.get('x-frame-options'), 'SAMEORIGIN');
  });

  test('share links carry attribution; shares and share-link visits are counted', async () => {
    const info = await bob.client.call('shareInfo', { params: { id: video } });
    assert.equal(info.url, `https://flick.example/v/${video}?s=bob_share&src=share`);
    assert.match(info.embedCode, /^<iframe src="https:\/\/flick.example\/embed\//);
    assert.equal(info.shares, 0);
    const after1 = await bob.client.call('shareVideo', { params: { id: video }, body: { channel: 'copy' } });
    const after2 = await t.anon.call('shareVideo', { params: { id: video }, body: { channel: 'qr' } });
    assert.equal(after1.shares, 1);
    assert.equal(after2.shares, 2);
    assert.equal(after2.url, `https://flick.example/v/${video}?src=share`);
    const row = await t.ctx.dbh.db.selectFrom('videos').select('share_count').where('id', '=', video).executeTakeFirstOrThrow();
    assert.equal(Number(row.share_count), 2);

    assert.equal(
      (await fetch(`${t.baseUrl}/api/videos/${video}/share`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"channel":"fax"}' }))
        .status,
      400,
    );
    assert.equal(await status(t.anon.call('shareVideo', { params: { id: hidden }, body: { channel: 'copy' } })), 404);
    assert.equal(await status(t.anon.call('shareInfo', { params: { id: '00000000-0000-4000-8000-000000000000' } })), 404);
    assert.equal((await fetch(`${t.baseUrl}/api/videos/nope/share`)).status, 400);

    // Visits through the link: once per visitor per day, with the sharer.
    for (let i = 0; i < 3; i++) await fetch(`${t.baseUrl}/v/${video}?s=bob_share&src=share`, { headers: { 'user-agent': 'visitor-a' } });
    await fetch(`${t.baseUrl}/v/${video}?s=bob_share&src=share`, { headers: { 'user-agent': 'visitor-b' } });
    await fetch(`${t.baseUrl}/v/${video}`, { headers: { 'user-agent': 'visitor-c' } });
    const visits = await t.ctx.dbh.db.selectFrom('share_visits').select(['sharer_id']).where('video_id', '=', video).execute();
    assert.equal(visits.length, 2);
    assert.ok(visits.every((v) => v.sharer_id === bob.me.id));
  });

  test('followers-only video: a follower may share it (no public preview), a stranger may not', async () => {
    await t.ctx.dbh.db.insertInto('follows').values({ follower_id: bob.me.id, followee_id: alice.me.id }).execute();
    assert.equal((await bob.client.call('shareInfo', { params: { id: hidden } })).shares, 0);
    const stranger = await t.newUser();
    assert.equal(await status(stranger.client.call('shareInfo', { params: { id: hidden } })), 404);
  });
});
