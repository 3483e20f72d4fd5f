import { useEffect, useState } from 'react';
import type { ClientResult } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { BackIcon } from '../components/icons.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { goBack, loginPath } from '../router.ts';
import { adsPath, fmtCents } from './ads-format.ts';
import { adInvoiceCsvPath, day, monthName } from './ads-invoices.tsx';
import '../styles/discovery.css';
import '../styles/ads.css';

type Invoice = ClientResult<'adInvoice'>;
/** /ads/invoices/:advertiser/:month — a printable monthly invoice from the ledger. */
export function AdsInvoicePage({ advertiserId, month }: { advertiserId: string; month: string }) {
  const { me, loading } = useMe();
  const [state, setState] = useState<{ status: 'loading' } | { status: 'ready'; inv: Invoice } | { status: 'error'; message: string }>({ status: 'loading' });

  useEffect(() => {
    if (!me) return;
    let cancelled = false;
    api.call('adInvoice', { params: { id: advertiserId, month } }).then(
      (inv) => {
        if (cancelled) return;
        setState({ status: 'ready', inv });
        document.title = `Invoice ${inv.number} · Flick`;
      },
      (err: unknown) => !cancelled && setState({ status: 'error', message: errorMessage(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [me, advertiserId, month]);

  if (!loading && !me)
    return (
      <div className="dv-page">
        <CenterState title="Sign in to see your invoices">
          <Link to={loginPath(location.pathname)} className="btn btn-primary">
            Log in
          </Link>
        </CenterState>
      </div>
    );

  const inv = state.status === 'ready' ? state.inv : null;
  return (
    <div className="dv-page ads-page ads-invoice-page" data-testid="invoice-page">
      <header className="dv-header ads-no-print">
        <button type="button" className="icon-btn" aria-label="Back" onClick={() => goBack(adsPath({ advertiser: advertiserId }))}>
          <BackIcon />
        </button>
        <div className="dv-title">
          <h1>Invoice</h1>
        </div>
      </header>
      {state.status === 'loading' && <Spinner />}
      {state.status === 'error' && <ErrorText message={state.message} />}
      {inv && (
        <article className="ads-invoice" data-testid="invoice">
          <div className="ads-invoice-head">
            <div>
              <h2 className="ads-invoice-title">
                Flick Ads invoice <span data-testid="invoice-number">{inv.number}</span>
              </h2>
              <p className="dv-muted">
                Period {day(inv.periodStart)} – {day(new Date(new Date(inv.periodEnd).getTime() - 1).toISOString())} (UTC) · issued {day(inv.issuedAt)}
              </p>
              {!inv.final && (
                <p className="ads-invoice-draft" data-testid="invoice-not-final">
                  Not final: {monthName(inv.month)} is still running — this is a statement to date and the figures will change.
                </p>
              )}
            </div>
            <div className="ads-invoice-to">
              <span className="dv-muted">Billed to</span>
              <strong>{inv.advertiser.name}</strong>
              {inv.advertiser.website && <span>{inv.advertiser.website}</span>}
            </div>
          </div>
          <table className="dv-table ads-invoice-lines" data-testid="invoice-lines">
            <thead>
              <tr>
                <th>Date</th>
                <th>Description</th>
                <th className="ads-num">Amount ({inv.currency})</th>
              </tr>
            </thead>
            <tbody>
              {inv.lines.length === 0 && (
                <tr>
                  <td colSpan={3} className="dv-muted">
                    Nothing moved this month.
                  </td>
                </tr>
              )}
              {inv.lines.map((l, i) => (
                <tr key={i} data-kind={l.kind} data-testid="invoice-line">
                  <td>{l.date ? day(l.date) : '—'}</td>
                  <td>{l.description}</td>
                  <td className="ads-num">{fmtCents(l.amountCents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <dl className="ads-invoice-totals" data-testid="invoice-totals">
            <dt>Opening balance</dt>
            <dd data-testid="invoice-opening">{fmtCents(inv.openingBalanceCents)}</dd>
            <dt>Credits (top-ups, Promote)</dt>
            <dd data-testid="invoice-credits">{fmtCents(inv.creditsCents)}</dd>
            <dt>Ad spend</dt>
            <dd data-testid="invoice-spend">{fmtCents(inv.spendCents)}</dd>
            <dt>Fees</dt>
            <dd data-testid="invoice-fees">{fmtCents(inv.feesCents)}</dd>
            <dt className="ads-invoice-due">Total charged</dt>
            <dd className="ads-invoice-due" data-testid="invoice-total">
              {fmtCents(inv.totalDueCents)}
            </dd>
            <dt>Closing balance</dt>
            <dd data-testid="invoice-closing">{fmtCents(inv.closingBalanceCents)}</dd>
          </dl>
          <p className="dv-muted ads-invoice-note">Prepaid: charges were taken from the advertiser balance; nothing is owed beyond it.</p>
          <div className="ads-actions ads-no-print">
            <button type="button" className="btn btn-primary" onClick={() => window.print()} data-testid="invoice-print">
              Print
            </button>
            <a href={adInvoiceCsvPath(advertiserId, month)} className="btn btn-secondary" download data-testid="invoice-csv">
              Download CSV
            </a>
          </div>
        </article>
      )}
    </div>
  );
}
