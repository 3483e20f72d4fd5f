// Account standing (issue 6): staff suspend and unsuspend accounts, with a reason, audited. A suspended account
// receives no gifts and cannot cash out. routes.ts spreads this table into the one route table.
import { z } from 'zod';
import { route } from './route-def.ts';
import { UserSummary } from './schemas.ts';

const UsernameParams = z.object({ username: z.string().min(1).max(64) });

export const AccountActionBody = z
  .object({
    reason: z.string({ error: 'reason must be text' }).trim().min(3, 'give a reason (at least 3 characters)').max(500, 'reason must be at most 500 characters'),
  })
  .strict();
export type AccountActionBody = z.infer<typeof AccountActionBody>;

export const AccountAction = z.object({
  action: z.enum(['suspend', 'unsuspend']),
  reason: z.string(),
  actor: UserSummary.nullable(),
  at: z.string(),
});
export type AccountAction = z.infer<typeof AccountAction>;

export const AccountStanding = z.object({
  user: UserSummary,
  suspended: z.boolean(),
  suspendedAt: z.string().nullable(),
  reason: z.string().nullable(),
  /** Newest first. */
  actions: z.array(AccountAction),
});
export type AccountStanding = z.infer<typeof AccountStanding>;

export const accountRoutes = {
  accountStanding: route({
    method: 'GET',
    path: '/api/staff/users/:username/standing',
    summary: "An account's suspension state and its audit trail (admin, moderator, support)",
    tags: ['staff'],
    auth: true,
    params: UsernameParams,
    response: AccountStanding,
  }),
  suspendAccount: route({
    method: 'POST',
    path: '/api/staff/users/:username/suspend',
    summary: 'Suspend an account, with a reason: it receives no gifts and cannot cash out (admin, moderator)',
    tags: ['staff'],
    auth: true,
    params: UsernameParams,
    body: AccountActionBody,
    response: AccountStanding,
  }),
  unsuspendAccount: route({
    method: 'POST',
    path: '/api/staff/users/:username/unsuspend',
    summary: 'Lift a suspension, with a reason (admin, moderator)',
    tags: ['staff'],
    auth: true,
    params: UsernameParams,
    body: AccountActionBody,
    response: AccountStanding,
  }),
} as const;
