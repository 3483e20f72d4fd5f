import { sql } from 'kysely';
import type { Database } from '../../platform/db/db.ts';

export type UserRow = {
  id: string;
  username: string;
  password_hash: string;
  birthdate: Date;
  display_name: string;
  bio: string;
  avatar_key: string | null;
  roles: string[];
  created_at: Date;
};

export function createIdentityRepo(db: Database) {
  return {
    byUsername: (username: string) =>
      db
        .selectFrom('users')
        .selectAll()
        .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
        .executeTakeFirst() as Promise<UserRow | undefined>,
    byId: (id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst() as Promise<UserRow | undefined>,
    async insert(u: { id: string; username: string; passwordHash: string; birthdate: string; displayName: string; roles?: string[] }) {
      const row = await db
        .insertInto('users')
        .values({
          id: u.id,
          username: u.username,
          password_hash: u.passwordHash,
          birthdate: u.birthdate,
          display_name: u.displayName,
          roles: u.roles ?? ['user'],
        })
        .onConflict((oc) => oc.expression(sql`lower(username)`).doNothing())
        .returningAll()
        .executeTakeFirst();
      return row;
    },
    update: (id: string, patch: { display_name?: string; bio?: string; avatar_key?: string; roles?: string[]; password_hash?: string }) =>
      db.updateTable('users').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow() as Promise<UserRow>,
    insertSession: (s: { id: string; userId: string; expiresAt: Date; userAgent: string | null }) =>
      db.insertInto('sessions').values({ id: s.id, user_id: s.userId, expires_at: s.expiresAt, user_agent: s.userAgent }).execute(),
    sessionUser: (sessionId: string, now: Date) =>
      db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('users')
        .select('sessions.expires_at as session_expires_at')
        .where('sessions.id', '=', sessionId)
        .where('sessions.expires_at', '>', now)
        .executeTakeFirst() as Promise<(UserRow & { session_expires_at: Date }) | undefined>,
    deleteSession: (sessionId: string) => db.deleteFrom('sessions').where('id', '=', sessionId).execute(),
    deleteExpiredSessions: (now: Date) => db.deleteFrom('sessions').where('expires_at', '<=', now).execute(),
    /** Suspends or lifts a suspension and writes its audit row, together. False when the account was already in that state. */
    setSuspended: (u: { userId: string; actorId: string; suspend: boolean; reason: string; now: Date }) =>
      db.transaction().execute(async (trx) => {
        const changed = await trx
          .updateTable('users')
          .set({ suspended_at: u.suspend ? u.now : null, suspension_reason: u.suspend ? u.reason : null })
          .where('id', '=', u.userId)
          .where('suspended_at', u.suspend ? 'is' : 'is not', null)
          .executeTakeFirst();
        if (!changed.numUpdatedRows) return false;
        await trx
          .insertInto('account_actions')
          .values({ user_id: u.userId, actor_id: u.actorId, action: u.suspend ? 'suspend' : 'unsuspend', reason: u.reason, created_at: u.now })
          .execute();
        return true;
      }),
    suspension: (userId: string) => db.selectFrom('users').select(['suspended_at', 'suspension_reason']).where('id', '=', userId).executeTakeFirst(),
    accountActions: (userId: string) =>
      db
        .selectFrom('account_actions')
        .select(['action', 'reason', 'actor_id', 'created_at'])
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(100)
        .execute(),
  };
}
export type IdentityRepo = ReturnType<typeof createIdentityRepo>;
