import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ApiError } from '@flick/contracts';
import { createTestApp, type TestApp } from '../../testing/harness.ts';

const rejects = async (p: Promise<unknown>, status: number, code?: string) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    assert.equal(e.status, status, e.message);
    if (code) assert.equal(e.code, code);
    return true;
  });
};

describe('identity', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('sign up sets an HttpOnly SameSite session cookie; me, log out, log in', async () => {
    const res = await fetch(`${t.baseUrl}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ana', password: 'long enough pw', birthdate: '1990-01-02' }),
    });
    assert.equal(res.status, 201);
    const cookie = res.headers.getSetCookie()[0]!;
    assert.match(cookie, /^flick_session=[\w-]{40,};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    const me = (await res.json()) as { username: string; roles: string[]; isMinor: boolean; displayName: string };
    assert.deepEqual([me.username, me.roles, me.isMinor, me.displayName], ['ana', ['user'], false, 'ana']);

    const { client } = t.clientWithJar();
    await rejects(client.call('me'), 401, 'unauthorized');
    await rejects(client.call('login', { body: { username: 'ana', password: 'wrong password' } }), 401);
    await rejects(client.call('login', { body: { username: 'nobody', password: 'wrong password' } }), 401);
    const logged = await client.call('login', { body: { username: 'ANA', password: 'long enough pw' } });
    assert.equal(logged.username, 'ana');
    assert.equal((await client.call('me')).username, 'ana');
    await client.call('logout');
    await rejects(client.call('me'), 401);
  });

  test('under 13 is refused and nothing is stored; 13–17 is a minor', async () => {
    const now = new Date();
    const y = (n: number) => `${now.getUTCFullYear() - n}-01-01`;
    await rejects(
      t.anon.call('signup', { body: { username: 'kid', password: 'long enough pw', birthdate: `${now.getUTCFullYear() - 12}-12-31` } }),
      403,
      'too_young',
    );
    assert.equal(await t.ctx.identity.byUsername('kid'), undefined);
    const teen = await t.newUser({ birthdate: y(15) });
    assert.equal(teen.me.isMinor, true);
    const adult = await t.newUser({ birthdate: y(30) });
    assert.equal(adult.me.isMinor, false);
  });

  test('bad input gets a 400 naming the field, duplicates a 409', async () => {
    await rejects(t.anon.call('signup', { body: { username: 'a', password: 'long enough pw', birthdate: '1990-01-01' } }), 400, 'invalid_request');
    await rejects(t.anon.call('signup', { body: { username: 'bob', password: 'short', birthdate: '1990-01-01' } }), 400);
    await rejects(t.anon.call('signup', { body: { username: 'bob', password: 'long enough pw', birthdate: '1990-02-30' } }), 400);
    await rejects(t.anon.call('signup', { body: { username: '../etc', password: 'long enough pw', birthdate: '1990-01-01' } }), 400);
    const wrongType = await fetch(`${t.baseUrl}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 42, password: [], birthdate: true }),
    });
    assert.equal(wrongType.status, 400);
    const body = (await wrongType.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'invalid_request');
    assert.match(body.error.message, /username/);
    const huge = await fetch(`${t.baseUrl}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'x'.repeat(400_000) }),
    });
    assert.equal(huge.status, 413);
    assert.equal(((await huge.json()) as { error: { code: string } }).error.code, 'payload_too_large');
    const notJson = await fetch(`${t.baseUrl}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(notJson.status, 400);
    await t.newUser({ username: 'carol' });
    await rejects(t.anon.call('signup', { body: { username: 'Carol', password: 'long enough pw', birthdate: '1990-01-01' } }), 409, 'username_taken');
  });

  test('cross-site state changes are refused; same-origin and non-browser clients pass', async () => {
    const u = await t.newUser();
    const post = (headers: Record<string, string>) =>
      fetch(`${t.baseUrl}/api/me`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', cookie: u.cookie, ...headers },
        body: JSON.stringify({ bio: 'hi' }),
      });
    assert.equal((await post({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await post({ origin: 'https://evil.example' })).status, 403);
    assert.equal((await post({ 'sec-fetch-site': 'same-origin', origin: t.baseUrl })).status, 200);
    assert.equal((await post({})).status, 200);
  });

  test('profile edits, avatar resized to 256×256 WebP, bad image refused', async () => {
    const u = await t.newUser();
    const me = await u.client.call('updateMe', { body: { displayName: 'Dee <b>', bio: 'I <script>alert(1)</script> dance' } });
    assert.equal(me.bio, 'I <script>alert(1)</script> dance', 'text is stored as written (rendering escapes it)');
    await rejects(u.client.call('updateMe', { body: { bio: 'bell\u0007' } }), 400);
    const png = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#3366ff' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.set('file', new Blob([png], { type: 'image/png' }), 'me.png');
    const withAvatar = await u.client.call('uploadAvatar', { form });
    assert.ok(withAvatar.avatarUrl);
    const img = await fetch(t.baseUrl + withAvatar.avatarUrl);
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 256, 256]);
    const bad = new FormData();
    bad.set('file', new Blob(['not an image']), 'x.png');
    await rejects(u.client.call('uploadAvatar', { form: bad }), 400, 'invalid_image');
  });

  test('only an admin grants roles; the first admin comes from bootstrap', async () => {
    const u = await t.newUser();
    const target = await t.newUser();
    await rejects(u.client.call('grantRoles', { params: { username: target.me.username }, body: { roles: ['moderator'] } }), 403);
    await t.ctx.identity.ensureAdmin(u.me.username, undefined);
    const { client } = t.clientWithJar();
    await client.call('login', { body: { username: u.me.username, password: u.password } });
    const granted = await client.call('grantRoles', { params: { username: target.me.username }, body: { roles: ['moderator'] } });
    assert.deepEqual(granted.roles.sort(), ['moderator', 'user']);
    await rejects(client.call('grantRoles', { params: { username: target.me.username }, body: { roles: ['emperor' as 'admin'] } }), 400);
  });

  test('admins and moderators suspend and unsuspend accounts with a reason; support reads; every change is audited', async () => {
    const admin = await t.newUser();
    const mod = await t.newUser();
    const support = await t.newUser();
    const target = await t.newUser();
    const setRoles = (u: { me: { id: string } }, roles: string[]) => t.ctx.dbh.db.updateTable('users').set({ roles }).where('id', '=', u.me.id).execute();
    await setRoles(admin, ['user', 'admin']);
    await setRoles(mod, ['user', 'moderator']);
    await setRoles(support, ['user', 'support']);
    const params = { username: target.me.username };
    const body = { reason: 'scam reports on three videos' };

    await rejects(target.client.call('accountStanding', { params }), 403);
    await rejects(support.client.call('suspendAccount', { params, body }), 403);
    await rejects(t.anon.call('suspendAccount', { params, body }), 401);
    for (const reason of ['', '  ', 'x'.repeat(501), 42 as unknown as string])
      await rejects(mod.client.call('suspendAccount', { params, body: { reason } }), 400, 'invalid_request');
    await rejects(mod.client.call('suspendAccount', { params: { username: 'nobody_here' }, body }), 404);
    await rejects(mod.client.call('suspendAccount', { params: { username: mod.me.username }, body }), 403, 'own_account');
    await rejects(mod.client.call('suspendAccount', { params: { username: admin.me.username }, body }), 403, 'admin_account');
    assert.equal((await support.client.call('accountStanding', { params })).suspended, false);

    const s = await mod.client.call('suspendAccount', { params, body: { reason: '  scam reports on three videos ' } });
    assert.equal(s.suspended, true);
    assert.equal(s.reason, 'scam reports on three videos', 'the reason is trimmed');
    assert.ok(s.suspendedAt);
    assert.equal(await t.ctx.identity.isSuspended(target.me.id), true);
    await rejects(admin.client.call('suspendAccount', { params, body }), 409, 'already_suspended');

    const lifted = await admin.client.call('unsuspendAccount', { params, body: { reason: 'appeal upheld' } });
    assert.equal(lifted.suspended, false);
    assert.equal(lifted.reason, null);
    await rejects(admin.client.call('unsuspendAccount', { params, body: { reason: 'again' } }), 409, 'not_suspended');
    const standing = await support.client.call('accountStanding', { params });
    assert.deepEqual(
      standing.actions.map((a) => [a.action, a.reason, a.actor?.username]),
      [
        ['unsuspend', 'appeal upheld', admin.me.username],
        ['suspend', 'scam reports on three videos', mod.me.username],
      ],
    );
  });

  test('login attempts are rate limited', async () => {
    const t = await createTestApp({ http: { authRateLimit: { max: 5, timeWindow: '1 minute' }, webDist: null } });
    let limited = false;
    for (let i = 0; i < 8 && !limited; i++) {
      const r = await fetch(`${t.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ana', password: 'guess number ' + i }),
      });
      if (r.status === 429) {
        limited = true;
        assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'rate_limited');
      }
    }
    await t.close();
    assert.ok(limited, 'expected a 429 within 8 attempts at max 5/min');
  });

  test('health, openapi and metrics', async () => {
    assert.deepEqual(await t.anon.call('health'), { status: 'ok' });
    const doc = (await (await fetch(`${t.baseUrl}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\./);
    for (const p of ['/api/auth/signup', '/api/videos', '/api/videos/{id}', '/api/feed/for-you', '/api/feed/following', '/api/events'])
      assert.ok(doc.paths[p], `openapi lacks ${p}`);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    assert.match(metrics, /flick_http_request_duration_seconds_bucket/);
    assert.match(metrics, /process_cpu_user_seconds_total/);
    const nf = await fetch(`${t.baseUrl}/api/nope`);
    assert.equal(nf.status, 404);
    assert.equal(((await nf.json()) as { error: { code: string } }).error.code, 'not_found');
  });
});

describe('identity: the session cache (SESSION_CACHE_MS)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { SESSION_CACHE_MS: '60000' } });
  });
  after(() => t.close());

  test('a session is answered from memory; role changes through the service and logging out take effect at once', async () => {
    const u = await t.newUser();
    const token = u.cookie.replace(/^flick_session=/, '');
    assert.deepEqual((await t.ctx.identity.authenticate(token))?.roles, ['user']);
    // Edited behind the service's back: the cached session keeps its roles until the entry expires.
    await t.ctx.dbh.db
      .updateTable('users')
      .set({ roles: ['user', 'support'] })
      .where('id', '=', u.me.id)
      .execute();
    assert.deepEqual((await t.ctx.identity.authenticate(token))?.roles, ['user']);
    // Through the service: dropped from the cache, read again.
    const admin = { id: crypto.randomUUID(), username: 'root', roles: ['user' as const, 'admin' as const], isMinor: false };
    await t.ctx.identity.grantRoles(admin, u.me.username, ['moderator']);
    assert.deepEqual(new Set((await t.ctx.identity.authenticate(token))?.roles), new Set(['user', 'support', 'moderator']));
    assert.equal((await u.client.call('me')).username, u.me.username);
    await u.client.call('logout');
    assert.equal(await t.ctx.identity.authenticate(token), undefined);
    await rejects(u.client.call('me'), 401, 'unauthorized');
    assert.equal(await t.ctx.identity.authenticate('not-a-session-token'), undefined);
  });
});
