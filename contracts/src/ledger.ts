// Ledger: the staff explorer and reconciliation (issue 6). Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { z } from 'zod';
import { route } from './route-def.ts';

export const LedgerAsset = z.enum(['COIN', 'DIAMOND', 'USD']);
export type LedgerAsset = z.infer<typeof LedgerAsset>;

const LedgerId = (what: string) => z.string().uuid(`${what} must be a UUID`);

export const LedgerAccount = z.object({
  id: z.string(),
  asset: LedgerAsset,
  kind: z.string(),
  ownerId: z.string().nullable(),
  /** The owner's username when the owner is a user. */
  ownerUsername: z.string().nullable(),
  flags: z.object({ debitsMustNotExceedCredits: z.boolean(), creditsMustNotExceedDebits: z.boolean() }),
  debitsPosted: z.number().int(),
  creditsPosted: z.number().int(),
  debitsPending: z.number().int(),
  creditsPending: z.number().int(),
  /** creditsPosted − debitsPosted (a platform account that issues money is negative). */
  balance: z.number().int(),
  createdAt: z.string(),
});
export type LedgerAccount = z.infer<typeof LedgerAccount>;

export const LedgerTransfer = z.object({
  id: z.string(),
  seq: z.number().int(),
  kind: z.enum(['single', 'pending', 'post', 'void']),
  debitAccountId: z.string(),
  creditAccountId: z.string(),
  asset: LedgerAsset,
  amount: z.number().int(),
  code: z.string(),
  state: z.enum(['posted', 'pending', 'voided', 'expired']),
  pendingId: z.string().nullable(),
  timeoutAt: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type LedgerTransfer = z.infer<typeof LedgerTransfer>;

export const LedgerAccountsQuery = z.object({
  /** An owner's username (prefix), an owner id or an account id. */
  q: z.string().trim().max(64).optional(),
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,47}$/, 'kind is lower_snake_case')
    .optional(),
  asset: LedgerAsset.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(512).optional(),
});
export const LedgerAccountList = z.object({ items: z.array(LedgerAccount), nextCursor: z.string().nullable() });
export type LedgerAccountList = z.infer<typeof LedgerAccountList>;

export const LedgerTransfersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(512).optional(),
});
export const LedgerTransferList = z.object({ items: z.array(LedgerTransfer), nextCursor: z.string().nullable() });
export const LedgerAccountDetail = z.object({ account: LedgerAccount, transfers: LedgerTransferList });
export type LedgerAccountDetail = z.infer<typeof LedgerAccountDetail>;
export const LedgerTransferDetail = z.object({
  transfer: LedgerTransfer,
  debitAccount: LedgerAccount,
  creditAccount: LedgerAccount,
  /** For a pending transfer: the post or void that resolved it; for a post or void: the pending transfer. */
  related: z.array(LedgerTransfer),
});
export type LedgerTransferDetail = z.infer<typeof LedgerTransferDetail>;

export const LedgerReconcileReport = z.object({
  ok: z.boolean(),
  at: z.string(),
  durationMs: z.number(),
  accounts: z.number().int(),
  transfers: z.number().int(),
  openPending: z.number().int(),
  assets: z.array(
    z.object({
      asset: LedgerAsset,
      debitsPosted: z.number().int(),
      creditsPosted: z.number().int(),
      debitsPending: z.number().int(),
      creditsPending: z.number().int(),
      balanced: z.boolean(),
    }),
  ),
  violations: z.array(
    z.object({
      kind: z.string(),
      asset: LedgerAsset.optional(),
      accountId: z.string().optional(),
      transferId: z.string().optional(),
      detail: z.string(),
    }),
  ),
  violationCount: z.number().int(),
});
export type LedgerReconcileReport = z.infer<typeof LedgerReconcileReport>;
export const LedgerReconciliation = z.object({ report: LedgerReconcileReport.nullable() });

export const LedgerRevenueQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });
export const LedgerRevenue = z.object({
  /** Per UTC day and asset: credited to platform_revenue accounts, debited from them (reversals), and the net. */
  days: z.array(z.object({ day: z.string(), asset: LedgerAsset, credited: z.number().int(), debited: z.number().int(), net: z.number().int() })),
  totals: z.array(z.object({ asset: LedgerAsset, credited: z.number().int(), debited: z.number().int(), net: z.number().int() })),
});
export type LedgerRevenue = z.infer<typeof LedgerRevenue>;

const tags = ['staff', 'ledger'];
export const ledgerRoutes = {
  ledgerAccounts: route({
    method: 'GET',
    path: '/api/staff/ledger/accounts',
    summary: 'Staff (admin, support): search ledger accounts by owner username or id, kind and asset',
    tags,
    auth: true,
    query: LedgerAccountsQuery,
    response: LedgerAccountList,
  }),
  ledgerAccount: route({
    method: 'GET',
    path: '/api/staff/ledger/accounts/:id',
    summary: 'Staff: one ledger account and its transfers, newest first',
    tags,
    auth: true,
    params: z.object({ id: LedgerId('account id') }),
    query: LedgerTransfersQuery,
    response: LedgerAccountDetail,
  }),
  ledgerTransfer: route({
    method: 'GET',
    path: '/api/staff/ledger/transfers/:id',
    summary: 'Staff: one ledger transfer with its accounts',
    tags,
    auth: true,
    params: z.object({ id: LedgerId('transfer id') }),
    response: LedgerTransferDetail,
  }),
  ledgerReconciliation: route({
    method: 'GET',
    path: '/api/staff/ledger/reconciliation',
    summary: 'Staff: the last reconciliation report (null before the first run)',
    tags,
    auth: true,
    response: LedgerReconciliation,
  }),
  ledgerReconcileNow: route({
    method: 'POST',
    path: '/api/staff/ledger/reconciliation',
    summary: 'Staff: reconcile the ledger now and store the report',
    tags,
    auth: true,
    response: LedgerReconciliation,
  }),
  ledgerRevenue: route({
    method: 'GET',
    path: '/api/staff/ledger/revenue',
    summary: 'Staff: platform revenue by UTC day per asset (transfers to platform_revenue accounts)',
    tags,
    auth: true,
    query: LedgerRevenueQuery,
    response: LedgerRevenue,
  }),
} as const;
