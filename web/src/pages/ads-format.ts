import { ApiError } from '../api.ts';

/** Shared bits of the ads manager pages: paths, money, field errors. */

export type AdsPlace = { advertiser?: string | null; campaign?: string | null; group?: string | null };

/** The ads manager keeps where you are in the query: /ads?advertiser=…&campaign=…&group=… */
export function adsPath(p: AdsPlace = {}): string {
  const q = new URLSearchParams();
  if (p.advertiser) q.set('advertiser', p.advertiser);
  if (p.campaign) q.set('campaign', p.campaign);
  if (p.group) q.set('group', p.group);
  const s = q.toString();
  return s ? `/ads?${s}` : '/ads';
}
export const adReportPath = (level: 'campaign' | 'ad-group' | 'ad', id: string, advertiser?: string) =>
  `/ads/report/${level}/${encodeURIComponent(id)}${advertiser ? `?advertiser=${encodeURIComponent(advertiser)}` : ''}`;

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const usdFine = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

/** Micro-dollars as USD: cents for amounts of a dollar or more, up to 4 decimals below (a CPC of $0.0150). */
export function fmtMicros(micros: number | null | undefined): string {
  if (micros === null || micros === undefined) return '—';
  const v = micros / 1e6;
  return Math.abs(v) >= 1 || v === 0 ? usd.format(v) : usdFine.format(v);
}
export const fmtCents = (cents: number) => usd.format(cents / 100);
export const fmtPct = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`);

/** "the budget must be at least 500 cents" → "the budget must be at least $5.00" (the forms take dollars). */
export const dollarsInMessage = (m: string) =>
  m
    .replace(/(\d+) (?:US )?cents/g, (_, c: string) => usd.format(Number(c) / 100))
    .replace(/a number of US cents/, 'an amount in dollars')
    .replace(/whole cents/, 'whole cents (at most 2 decimals)');

/** Field → message. Paths are dotted without array indexes ("targeting.countries"); "" is the form itself. */
export type FieldErrors = Record<string, string>;

const fieldKey = (path: readonly PropertyKey[]) =>
  path
    .filter((p) => typeof p === 'string')
    .join('.')
    .replace(/^body\.?/, '');

/** Issues of a failed `safeParse` of a contract schema (checked in the browser before sending). */
export function zodErrors(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const k = fieldKey(issue.path);
    out[k] ??= dollarsInMessage(issue.message);
  }
  return out;
}

/** A 400 from the API names the field first ("budget.amountCents: …"): put it under that field. */
export function apiErrors(err: unknown, fallback: (e: unknown) => string): FieldErrors {
  if (err instanceof ApiError && err.status === 400) {
    const m = /^([\w.[\]/]+): (.+)$/s.exec(err.message);
    if (m?.[1] && m[2]) {
      const k = m[1]
        .replace(/\//g, '.')
        .replace(/\[\d+\]|\.\d+(?=\.|$)/g, '')
        .replace(/^body\.?/, '');
      return { [k]: dollarsInMessage(m[2]) };
    }
    return { '': dollarsInMessage(err.message) };
  }
  return { '': fallback(err) };
}

/** Errors whose field the form does not show go to the top. */
export function leftover(errors: FieldErrors, shown: readonly string[]): string | null {
  const rest = Object.entries(errors).filter(([k]) => !shown.includes(k));
  return rest.length ? rest.map(([k, v]) => (k ? `${k}: ${v}` : v)).join(' · ') : null;
}
