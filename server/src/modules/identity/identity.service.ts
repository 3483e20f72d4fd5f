import crypto from 'node:crypto';
import argon2 from 'argon2';
import sharp from 'sharp';
import type { AccountStanding, Me, ProfileUpdate, Role, SignupBody, UserSummary } from '@flick/contracts';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { Clock } from '../../platform/clock.ts';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../../http/errors.ts';
import { ADULT_AGE, MIN_AGE, ageOn } from './age.ts';
import type { IdentityRepo, UserRow } from './identity.repo.ts';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const ARGON = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export type SessionUser = { id: string; username: string; roles: Role[]; isMinor: boolean };

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
/**
 * Signed-in requests are answered from a short-lived cache of sessions (`sessionCacheMs`, env
 * SESSION_CACHE_MS, default 5 s; the lookup was a query on every request: 0.8 ms of PGlite's only
 * thread). Logging out and role changes made through this service drop the entries at once; another API
 * process's logout, or a role or birthdate edited in the database by hand, is seen within that time. An
 * entry never outlives its session. The test harness sets 0 (tests edit roles in SQL and expect them at once).
 */
const SESSION_CACHE_MAX = 50_000;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

export function createIdentityService(deps: { repo: IdentityRepo; blob: BlobStore; clock: Clock; sessionCacheMs?: number }) {
  const { repo, blob, clock } = deps;
  // Verifying against a real hash when the user does not exist keeps login timing flat.
  const dummyHash = argon2.hash('not-a-real-password', ARGON);

  const isMinor = (u: UserRow) => ageOn(isoDate(u.birthdate), clock.now()) < ADULT_AGE;
  const summary = (u: UserRow): UserSummary => ({
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    avatarUrl: u.avatar_key ? blob.url(u.avatar_key) : null,
  });
  const me = (u: UserRow): Me => ({
    ...summary(u),
    bio: u.bio,
    roles: u.roles as Role[],
    isMinor: isMinor(u),
    createdAt: u.created_at.toISOString(),
  });
  const sessionUser = (u: UserRow): SessionUser => ({ id: u.id, username: u.username, roles: u.roles as Role[], isMinor: isMinor(u) });
  const sessions = new Map<string, { user: SessionUser; until: number }>();
  const forgetUser = (userId: string) => {
    for (const [k, v] of sessions) if (v.user.id === userId) sessions.delete(k);
  };

  async function createSession(userId: string, userAgent: string | null) {
    const token = crypto.randomBytes(32).toString('base64url');
    const expiresAt = new Date(clock.now().getTime() + SESSION_TTL_MS);
    await repo.insertSession({ id: sha256(token), userId, expiresAt, userAgent: userAgent?.slice(0, 300) ?? null });
    return { token, expiresAt };
  }

  return {
    summary,
    me,
    async signup(body: SignupBody, userAgent: string | null) {
      const age = ageOn(body.birthdate, clock.now());
      if (age < 0 || age > 130) throw badRequest('invalid_birthdate', 'birthdate is not plausible');
      if (age < MIN_AGE) throw forbidden(`you must be at least ${MIN_AGE} to use Flick`, 'too_young');
      const passwordHash = await argon2.hash(body.password, ARGON);
      const row = await repo.insert({
        id: crypto.randomUUID(),
        username: body.username,
        passwordHash,
        birthdate: body.birthdate,
        displayName: body.displayName ?? body.username,
      });
      if (!row) throw conflict('username_taken', `the username "${body.username}" is taken`);
      return { user: me(row), session: await createSession(row.id, userAgent) };
    },
    async login(username: string, password: string, userAgent: string | null) {
      const row = await repo.byUsername(username);
      const ok = await argon2.verify(row?.password_hash ?? (await dummyHash), password);
      if (!row || !ok) throw unauthorized('wrong username or password');
      return { user: me(row), session: await createSession(row.id, userAgent) };
    },
    async logout(token: string) {
      const id = sha256(token);
      sessions.delete(id);
      await repo.deleteSession(id);
    },
    async authenticate(token: string): Promise<SessionUser | undefined> {
      const id = sha256(token);
      const now = clock.now().getTime();
      const hit = sessions.get(id);
      if (hit && now < hit.until) return hit.user;
      const row = await repo.sessionUser(id, clock.now());
      const ttl = deps.sessionCacheMs ?? 0;
      if (!ttl) return row && sessionUser(row);
      if (!row) {
        sessions.delete(id);
        return undefined;
      }
      const user = sessionUser(row);
      if (sessions.size >= SESSION_CACHE_MAX) sessions.delete(sessions.keys().next().value!);
      sessions.delete(id);
      sessions.set(id, { user, until: Math.min(now + ttl, row.session_expires_at.getTime()) });
      return user;
    },
    async getMe(userId: string) {
      const row = await repo.byId(userId);
      if (!row) throw unauthorized();
      return me(row);
    },
    async updateProfile(userId: string, patch: ProfileUpdate) {
      return me(await repo.update(userId, { display_name: patch.displayName, bio: patch.bio }));
    },
    async setAvatar(userId: string, image: Buffer) {
      let webp: Buffer;
      try {
        webp = await sharp(image, { limitInputPixels: 50_000_000 }).rotate().resize(256, 256, { fit: 'cover' }).webp({ quality: 82 }).toBuffer();
      } catch {
        throw badRequest('invalid_image', 'the avatar must be a JPEG, PNG, WebP, GIF or AVIF image');
      }
      const old = (await repo.byId(userId))?.avatar_key;
      const key = `avatars/${userId}/${crypto.createHash('sha1').update(webp).digest('hex').slice(0, 16)}.webp`;
      await blob.putBuffer(key, webp, 'image/webp');
      const row = await repo.update(userId, { avatar_key: key });
      if (old && old !== key) await blob.delete(old);
      return me(row);
    },
    async grantRoles(actor: SessionUser, username: string, roles: Role[]) {
      if (!actor.roles.includes('admin')) throw forbidden('only an admin can grant roles');
      const row = await repo.byUsername(username);
      if (!row) throw notFound('user');
      const updated = me(await repo.update(row.id, { roles: [...new Set([...row.roles, ...roles])] }));
      forgetUser(row.id);
      return updated;
    },
    /** Create the first admin, or promote an existing account (from ADMIN_BOOTSTRAP or the CLI). */
    async ensureAdmin(username: string, password: string | undefined) {
      const row = await repo.byUsername(username);
      if (row) {
        const roles = [...new Set([...row.roles, 'admin'])];
        const updated = me(await repo.update(row.id, { roles, ...(password ? { password_hash: await argon2.hash(password, ARGON) } : {}) }));
        forgetUser(row.id);
        return updated;
      }
      if (!password) throw badRequest('password_required', `user ${username} does not exist; give a password to create it`);
      const created = await repo.insert({
        id: crypto.randomUUID(),
        username,
        passwordHash: await argon2.hash(password, ARGON),
        birthdate: '1990-01-01',
        displayName: username,
        roles: ['user', 'admin'],
      });
      if (!created) throw conflict('username_taken', `the username "${username}" is taken`);
      return me(created);
    },
    byUsername: (username: string) => repo.byUsername(username),
    byId: (id: string) => repo.byId(id),
    /** Whether staff have suspended the account (a suspended account receives no gifts and cannot cash out). */
    async isSuspended(userId: string) {
      return !!(await repo.suspension(userId))?.suspended_at;
    },
    accountStanding,
    /** Suspend (or lift a suspension of) an account, with a reason; every change is audited in account_actions. */
    async setSuspended(actor: SessionUser, username: string, suspend: boolean, reason: string) {
      if (!actor.roles.some((r) => r === 'admin' || r === 'moderator')) throw forbidden('only admins and moderators can suspend accounts');
      const row = await repo.byUsername(username);
      if (!row) throw notFound('user');
      if (row.id === actor.id) throw forbidden('you cannot change the standing of your own account', 'own_account');
      if (row.roles.includes('admin') && !actor.roles.includes('admin')) throw forbidden('only an admin can suspend an admin', 'admin_account');
      const changed = await repo.setSuspended({ userId: row.id, actorId: actor.id, suspend, reason, now: clock.now() });
      if (!changed)
        throw suspend ? conflict('already_suspended', `@${row.username} is already suspended`) : conflict('not_suspended', `@${row.username} is not suspended`);
      return accountStanding(actor, row.username);
    },
  };

  async function accountStanding(actor: SessionUser, username: string): Promise<AccountStanding> {
    if (!actor.roles.some((r) => r === 'admin' || r === 'moderator' || r === 'support')) throw forbidden('account standing is for staff only');
    const row = await repo.byUsername(username);
    if (!row) throw notFound('user');
    const s = await repo.suspension(row.id);
    const actions = await repo.accountActions(row.id);
    const actors = new Map<string, UserSummary>();
    for (const id of new Set(actions.map((a) => a.actor_id).filter((x): x is string => !!x))) {
      const u = await repo.byId(id);
      if (u) actors.set(id, summary(u));
    }
    return {
      user: summary(row),
      suspended: !!s?.suspended_at,
      suspendedAt: s?.suspended_at?.toISOString() ?? null,
      reason: s?.suspension_reason ?? null,
      actions: actions.map((a) => ({
        action: a.action,
        reason: a.reason,
        actor: a.actor_id ? (actors.get(a.actor_id) ?? null) : null,
        at: a.created_at.toISOString(),
      })),
    };
  }
}
export type IdentityService = ReturnType<typeof createIdentityService>;
