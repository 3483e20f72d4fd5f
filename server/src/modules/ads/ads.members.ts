import { sql } from 'kysely';
import type { Database } from '../../platform/db/db.ts';
import type { Clock } from '../../platform/clock.ts';
import { ageOn } from '../identity/age.ts';
import { badRequest, conflict, forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';

export type Role = 'owner' | 'admin' | 'analyst';

/**
 * Who may manage an advertiser's members: owners manage everyone; admins add, change and remove admins and
 * analysts but never grant, change or remove an owner; analysts manage nobody (they may leave). An account
 * always keeps at least one owner. Non-members get the same 404 as an unknown advertiser.
 */
export function createAdMembers(deps: { db: Database; clock: Clock }) {
  const { db } = deps;

  async function roleOf(userId: string, advertiserId: string): Promise<Role | undefined> {
    const m = await db
      .selectFrom('advertiser_members')
      .select('role')
      .where('advertiser_id', '=', advertiserId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return m?.role;
  }
  async function mine(user: SessionUser, advertiserId: string): Promise<Role> {
    const r = await roleOf(user.id, advertiserId);
    if (!r) throw notFound('advertiser');
    return r;
  }
  /** Whether `actor` may touch a member whose role is `from` (→ `to`). */
  function mayManage(actor: Role, from: Role | null, to: Role | null) {
    if (actor === 'owner') return;
    if (actor === 'analyst') throw forbidden('analysts cannot manage members; ask an owner or admin', 'analyst_read_only');
    if (from === 'owner' || to === 'owner') throw forbidden('only an owner can add, change or remove owners', 'owner_only');
  }
  async function owners(q: Pick<Database, 'selectFrom'>, advertiserId: string) {
    const r = await q
      .selectFrom('advertiser_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('advertiser_id', '=', advertiserId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
  async function one(advertiserId: string, userId: string) {
    const r = await db
      .selectFrom('advertiser_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'm.role', 'm.created_at', 'u.username', 'u.display_name'])
      .where('m.advertiser_id', '=', advertiserId)
      .where('m.user_id', '=', userId)
      .executeTakeFirst();
    if (!r) throw notFound('member');
    return { userId: r.user_id, username: r.username, displayName: r.display_name, role: r.role, addedAt: r.created_at.toISOString() };
  }

  return {
    async list(user: SessionUser, advertiserId: string) {
      await mine(user, advertiserId);
      const rows = await db
        .selectFrom('advertiser_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['m.user_id', 'm.role', 'm.created_at', 'u.username', 'u.display_name'])
        .where('m.advertiser_id', '=', advertiserId)
        .orderBy(sql`CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END`)
        .orderBy('m.created_at')
        .execute();
      return {
        items: rows.map((r) => ({ userId: r.user_id, username: r.username, displayName: r.display_name, role: r.role, addedAt: r.created_at.toISOString() })),
      };
    },

    async add(user: SessionUser, advertiserId: string, body: { username: string; role: Role }) {
      mayManage(await mine(user, advertiserId), null, body.role);
      const u = await db
        .selectFrom('users')
        .select(['id', 'birthdate', 'suspended_at'])
        .where((eb) => eb(eb.fn('lower', ['username']), '=', body.username.toLowerCase()))
        .executeTakeFirst();
      if (!u) throw badRequest('unknown_user', `username: nobody is called @${body.username}`);
      if (ageOn(u.birthdate.toISOString().slice(0, 10), deps.clock.now()) < 18)
        throw badRequest('adults_only', `username: @${body.username} cannot join: advertiser accounts are for adults`);
      if (u.suspended_at) throw badRequest('account_suspended', `username: @${body.username} is suspended`);
      const ins = await db
        .insertInto('advertiser_members')
        .values({ advertiser_id: advertiserId, user_id: u.id, role: body.role })
        .onConflict((oc) => oc.columns(['advertiser_id', 'user_id']).doNothing())
        .returning('user_id')
        .executeTakeFirst();
      if (!ins) throw conflict('already_member', `username: @${body.username} is already a member; change their role instead`);
      return one(advertiserId, u.id);
    },

    async update(user: SessionUser, advertiserId: string, userId: string, role: Role) {
      const actor = await mine(user, advertiserId);
      const from = await roleOf(userId, advertiserId);
      if (!from) throw notFound('member');
      mayManage(actor, from, role);
      if (from === role) return one(advertiserId, userId);
      await db.transaction().execute(async (trx) => {
        // Lock the account's owners so two demotions cannot both leave it without one.
        await trx
          .selectFrom('advertiser_members')
          .select('user_id')
          .where('advertiser_id', '=', advertiserId)
          .where('role', '=', 'owner')
          .forUpdate()
          .execute();
        if (from === 'owner' && (await owners(trx, advertiserId)) <= 1)
          throw conflict('last_owner', 'role: the account needs at least one owner; make someone else an owner first');
        await trx.updateTable('advertiser_members').set({ role }).where('advertiser_id', '=', advertiserId).where('user_id', '=', userId).execute();
      });
      return one(advertiserId, userId);
    },

    async remove(user: SessionUser, advertiserId: string, userId: string) {
      const actor = await mine(user, advertiserId);
      const from = await roleOf(userId, advertiserId);
      if (!from) throw notFound('member');
      // Anyone may leave; otherwise the manage rules apply.
      if (userId !== user.id) mayManage(actor, from, null);
      await db.transaction().execute(async (trx) => {
        await trx
          .selectFrom('advertiser_members')
          .select('user_id')
          .where('advertiser_id', '=', advertiserId)
          .where('role', '=', 'owner')
          .forUpdate()
          .execute();
        if (from === 'owner' && (await owners(trx, advertiserId)) <= 1)
          throw conflict('last_owner', 'the account needs at least one owner; make someone else an owner first');
        await trx.deleteFrom('advertiser_members').where('advertiser_id', '=', advertiserId).where('user_id', '=', userId).execute();
      });
      return { removed: true };
    },
  };
}
export type AdMembers = ReturnType<typeof createAdMembers>;
