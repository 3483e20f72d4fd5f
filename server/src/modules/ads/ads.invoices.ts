import { sql } from 'kysely';
import type { z } from 'zod';
import type { AdInvoice, AdInvoiceLine } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { Clock } from '../../platform/clock.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { LedgerService, Transfer } from '../ledger/ledger.service.ts';
import { csvCell } from '../analytics/analytics.service.ts';
import type { AdsBilling } from './ads.billing.ts';

type Invoice = z.input<typeof AdInvoice>;
type Line = z.input<typeof AdInvoiceLine>;
const MAX_MONTHS = 24;

const monthKey = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
const monthStart = (key: string) => new Date(`${key}-01T00:00:00.000Z`);
const nextMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));

/** Splits `total` over `weights` in whole units that add up exactly (largest remainder). */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

/**
 * Monthly invoices (UTC calendar months) of an advertiser, built from the ledger movements of its
 * `advertiser_balance` account: top-ups and Promote credits in, refunds out, delivery spend (the posted leases)
 * broken down by campaign, flat fees. Only posted movements count (a lease's reservation is not a charge until it is
 * posted). The number is issued on first request and never changes: FLK-<YYYYMM>-<sequence>.
 */
export function createAdInvoices(deps: { db: Database; clock: Clock; ledger: LedgerService; billing: AdsBilling }) {
  const { db, ledger, billing } = deps;

  async function advertiserFor(user: SessionUser, advertiserId: string) {
    const a = await db
      .selectFrom('advertisers as a')
      .innerJoin('advertiser_members as m', (j) => j.onRef('m.advertiser_id', '=', 'a.id').on('m.user_id', '=', user.id))
      .select(['a.id', 'a.name', 'a.website', 'a.created_at'])
      .where('a.id', '=', advertiserId)
      .executeTakeFirst();
    if (!a) throw notFound('advertiser');
    return a;
  }

  async function numberOf(advertiserId: string, key: string) {
    const month = `${key}-01`;
    await db
      .insertInto('ad_invoices')
      .values({ advertiser_id: advertiserId, month })
      .onConflict((oc) => oc.columns(['advertiser_id', 'month']).doNothing())
      .execute();
    const r = await db
      .selectFrom('ad_invoices')
      .select(['seq', 'issued_at'])
      .where('advertiser_id', '=', advertiserId)
      .where('month', '=', sql<Date>`${month}::date`)
      .executeTakeFirstOrThrow();
    return { number: `FLK-${key.replace('-', '')}-${String(r.seq).padStart(6, '0')}`, issuedAt: r.issued_at };
  }

  /** The account's posted movements since `from`, oldest first, and the posted balance now. */
  async function movementsSince(accountId: string, from: Date) {
    const out: Transfer[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await ledger.transfers({ accountId, limit: 200, cursor });
      let older = false;
      for (const t of page.items) {
        if (t.createdAt < from) {
          older = true;
          break;
        }
        if ((t.kind === 'single' || t.kind === 'post') && t.state === 'posted') out.push(t);
      }
      if (older || !page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const acc = await ledger.account(accountId);
    return { moves: out.reverse(), postedNow: acc ? acc.creditsPosted - acc.debitsPosted : 0 };
  }

  async function invoice(user: SessionUser, advertiserId: string, key: string): Promise<Invoice> {
    const adv = await advertiserFor(user, advertiserId);
    const start = monthStart(key);
    const end = nextMonth(start);
    const now = deps.clock.now();
    if (start > now) throw badRequest('invalid_month', `month: ${key} has not started yet`);
    if (end <= new Date(Date.UTC(adv.created_at.getUTCFullYear(), adv.created_at.getUTCMonth(), 1)))
      throw badRequest('invalid_month', `month: the account was opened in ${monthKey(adv.created_at)}`);
    const accountId = await billing.acct.balance(advertiserId);
    const { moves, postedNow } = await movementsSince(accountId, start);
    const signed = (t: Transfer) => (t.creditAccountId === accountId ? t.amount : -t.amount);
    const opening = postedNow - moves.reduce((a, t) => a + signed(t), 0);
    const inMonth = moves.filter((t) => t.createdAt < end);

    const lines: Line[] = [];
    const spend: Transfer[] = [];
    for (const t of inMonth) {
      const amount = signed(t);
      const date = t.createdAt.toISOString();
      const meta = t.meta as Record<string, string | undefined>;
      switch (t.code) {
        case 'ads_topup':
          lines.push({ kind: 'topup', description: 'Top-up by card', amountCents: amount, date, campaignId: null });
          break;
        case 'ads_promo_credit':
          lines.push({ kind: 'promo_credit', description: 'Promote credit (paid in coins)', amountCents: amount, date, campaignId: null });
          break;
        case 'ads_refunded':
        case 'ads_charged_back':
          lines.push({
            kind: 'refund',
            description: t.code === 'ads_refunded' ? 'Top-up refunded' : 'Top-up charged back',
            amountCents: amount,
            date,
            campaignId: null,
          });
          break;
        case 'ads_spend':
          spend.push(t);
          break;
        case 'ads_sponsored_challenge':
          lines.push({
            kind: 'fee',
            description: `Sponsored hashtag challenge${meta.slug ? ` /${meta.slug}` : ''} (flat fee)`,
            amountCents: amount,
            date,
            campaignId: null,
          });
          break;
        default:
          lines.push({ kind: 'other', description: `Ledger movement (${t.code})`, amountCents: amount, date, campaignId: null });
      }
    }

    // Delivery: the posted leases' total, split by campaign in proportion to what the impressions of those leases cost.
    const spendCents = spend.reduce((a, t) => a - signed(t), 0);
    if (spendCents !== 0) {
      const leaseIds = [...new Set(spend.map((t) => t.pendingId ?? (t.meta as { leaseId?: string }).leaseId).filter((x): x is string => !!x))];
      const byCampaign = new Map<string, number>();
      for (let i = 0; i < leaseIds.length; i += 1000) {
        const rows = await db
          .selectFrom('ad_impressions')
          .select((eb) => ['campaign_id', eb.fn.sum<number>('charged_micros').as('m')])
          .where('lease_id', 'in', leaseIds.slice(i, i + 1000))
          .groupBy('campaign_id')
          .execute();
        for (const r of rows) byCampaign.set(r.campaign_id, (byCampaign.get(r.campaign_id) ?? 0) + Number(r.m));
      }
      const ids = [...byCampaign.keys()].filter((id) => byCampaign.get(id)! > 0);
      const names = new Map(
        ids.length ? (await db.selectFrom('ad_campaigns').select(['id', 'name']).where('id', 'in', ids).execute()).map((c) => [c.id, c.name]) : [],
      );
      ids.sort((a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b));
      if (!ids.length) lines.push({ kind: 'spend', description: 'Ad delivery', amountCents: -spendCents, date: null, campaignId: null });
      else {
        const parts = apportion(
          spendCents,
          ids.map((id) => byCampaign.get(id)!),
        );
        ids.forEach((id, i) =>
          lines.push({ kind: 'spend', description: `Ad delivery: ${names.get(id) ?? 'campaign'}`, amountCents: -parts[i]!, date: null, campaignId: id }),
        );
      }
    }

    const sum = (kinds: Line['kind'][]) => lines.filter((l) => kinds.includes(l.kind)).reduce((a, l) => a + l.amountCents, 0);
    const credits = sum(['topup', 'promo_credit', 'refund', 'other']);
    const fees = -sum(['fee']);
    const { number, issuedAt } = await numberOf(advertiserId, key);
    return {
      number,
      advertiser: { id: adv.id, name: adv.name, website: adv.website },
      month: key,
      periodStart: start.toISOString(),
      periodEnd: end.toISOString(),
      issuedAt: issuedAt.toISOString(),
      final: end <= now,
      currency: 'USD',
      openingBalanceCents: opening,
      creditsCents: credits,
      spendCents,
      feesCents: fees,
      totalDueCents: spendCents + fees,
      closingBalanceCents: opening + credits - spendCents - fees,
      lines,
    };
  }

  return {
    invoice,
    async list(user: SessionUser, advertiserId: string) {
      const adv = await advertiserFor(user, advertiserId);
      const now = deps.clock.now();
      const items: { number: string; month: string; final: boolean }[] = [];
      let m = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
      const first = new Date(Date.UTC(adv.created_at.getUTCFullYear(), adv.created_at.getUTCMonth(), 1));
      while (m >= first && items.length < MAX_MONTHS) {
        const key = monthKey(m);
        items.push({ number: (await numberOf(advertiserId, key)).number, month: key, final: nextMonth(m) <= now });
        m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() - 1, 1));
      }
      return { items };
    },
  };
}
export type AdInvoices = ReturnType<typeof createAdInvoices>;

const usd = (cents: number) => (cents / 100).toFixed(2);

/** The invoice as CSV: one row per line item, then the totals (USD, 2 decimals). */
export function invoiceCsv(inv: Invoice): string {
  const rows: (string | number)[][] = [
    ['invoice', inv.number],
    ['advertiser', inv.advertiser.name],
    ['period', `${inv.periodStart.slice(0, 10)} to ${inv.periodEnd.slice(0, 10)} (exclusive)`],
    ['status', inv.final ? 'final' : 'to date'],
    [],
    ['date', 'kind', 'description', 'campaign_id', 'amount_usd'],
    ...inv.lines.map((l) => [l.date?.slice(0, 10) ?? '', l.kind, l.description, l.campaignId ?? '', usd(l.amountCents)]),
    [],
    ['opening_balance_usd', usd(inv.openingBalanceCents)],
    ['credits_usd', usd(inv.creditsCents)],
    ['spend_usd', usd(inv.spendCents)],
    ['fees_usd', usd(inv.feesCents)],
    ['total_due_usd', usd(inv.totalDueCents)],
    ['closing_balance_usd', usd(inv.closingBalanceCents)],
  ];
  // Amounts are written as plain numbers (a leading "-" is not a formula here); text goes through csvCell.
  const cell = (v: string | number) => (typeof v === 'string' && /^-?\d+\.\d{2}$/.test(v) ? v : csvCell(v));
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
