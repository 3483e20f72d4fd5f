import type { FastifyInstance } from 'fastify';
import type { LedgerAccount, LedgerTransfer } from '@flick/contracts';
import { mount } from '../../http/route.ts';
import { forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import { toTransfer, type LedgerService, type Transfer } from './ledger.service.ts';
import type { AccountWithOwner } from './ledger.repo.ts';
import type { ReconcileReport } from './ledger.reconcile.ts';
import { createLedgerJobs } from './ledger.jobs.ts';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.ts';

/** Who may read the ledger: staff who handle money questions. Everyone else gets 403. */
export const LEDGER_STAFF_ROLES = ['admin', 'support'] as const;
export function requireLedgerStaff(user: SessionUser) {
  if (!user.roles.some((r) => (LEDGER_STAFF_ROLES as readonly string[]).includes(r))) throw forbidden('the ledger is for staff (admin or support) only');
}

const accountView = (a: AccountWithOwner): LedgerAccount => ({
  id: a.id,
  asset: a.asset,
  kind: a.kind,
  ownerId: a.owner_id,
  ownerUsername: a.owner_username,
  flags: { debitsMustNotExceedCredits: a.debits_must_not_exceed_credits, creditsMustNotExceedDebits: a.credits_must_not_exceed_debits },
  debitsPosted: a.debits_posted,
  creditsPosted: a.credits_posted,
  debitsPending: a.debits_pending,
  creditsPending: a.credits_pending,
  balance: a.credits_posted - a.debits_posted,
  createdAt: a.created_at.toISOString(),
});

const transferView = (t: Transfer): LedgerTransfer => ({
  id: t.id,
  seq: t.seq,
  kind: t.kind,
  debitAccountId: t.debitAccountId,
  creditAccountId: t.creditAccountId,
  asset: t.asset,
  amount: t.amount,
  code: t.code,
  state: t.state,
  pendingId: t.pendingId,
  timeoutAt: t.timeoutAt ? t.timeoutAt.toISOString() : null,
  meta: t.meta,
  createdAt: t.createdAt.toISOString(),
});

export function registerLedgerRoutes(app: FastifyInstance, deps: { ledger: LedgerService; log: Logger; clock: Clock }) {
  const { ledger, clock } = deps;
  const repo = ledger.repo;
  const jobs = createLedgerJobs({ ledger, log: deps.log });
  const account = async (id: string) => {
    const a = await repo.accountWithOwner(id);
    if (!a) throw notFound('ledger account');
    return accountView(a);
  };

  mount(app, 'ledgerAccounts', async (req) => {
    requireLedgerStaff(req.user);
    const page = await repo.searchAccounts(req.query);
    return { items: page.items.map(accountView), nextCursor: page.nextCursor };
  });

  mount(app, 'ledgerAccount', async (req) => {
    requireLedgerStaff(req.user);
    const a = await account(req.params.id);
    const page = await ledger.transfers({ accountId: a.id, limit: req.query.limit, cursor: req.query.cursor });
    return { account: a, transfers: { items: page.items.map(transferView), nextCursor: page.nextCursor } };
  });

  mount(app, 'ledgerTransfer', async (req) => {
    requireLedgerStaff(req.user);
    const t = await ledger.transfer(req.params.id);
    if (!t) throw notFound('ledger transfer');
    const related: Transfer[] = [];
    if (t.pendingId) {
      const p = await ledger.transfer(t.pendingId);
      if (p) related.push(p);
    } else if (t.kind === 'pending') {
      const r = await repo.resolutionOf(t.id);
      if (r) related.push(toTransfer(r));
    }
    return {
      transfer: transferView(t),
      debitAccount: await account(t.debitAccountId),
      creditAccount: await account(t.creditAccountId),
      related: related.map(transferView),
    };
  });

  mount(app, 'ledgerReconciliation', async (req) => {
    requireLedgerStaff(req.user);
    const last = await repo.lastReconciliation();
    return { report: last ? (last.report as ReconcileReport) : null };
  });

  mount(app, 'ledgerReconcileNow', async (req) => {
    requireLedgerStaff(req.user);
    return { report: await jobs.reconcile() };
  });

  mount(app, 'ledgerRevenue', async (req) => {
    requireLedgerStaff(req.user);
    const since = new Date(clock.now().getTime() - (req.query.days - 1) * 86_400_000);
    since.setUTCHours(0, 0, 0, 0);
    const rows = await repo.revenueByDay(since);
    const days = rows.map((r) => ({
      day: r.day,
      asset: r.asset,
      credited: Number(r.credited),
      debited: Number(r.debited),
      net: Number(r.credited) - Number(r.debited),
    }));
    const totals = new Map<string, { asset: (typeof days)[number]['asset']; credited: number; debited: number; net: number }>();
    for (const d of days) {
      const t = totals.get(d.asset) ?? { asset: d.asset, credited: 0, debited: 0, net: 0 };
      t.credited += d.credited;
      t.debited += d.debited;
      t.net += d.net;
      totals.set(d.asset, t);
    }
    return { days, totals: [...totals.values()] };
  });
}
