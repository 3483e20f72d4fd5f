import { useEffect, useState } from 'react';
import type { ClientResult } from '@flick/contracts';
import { api, errorMessage } from '../api.ts';
import { Link } from '../components/link.tsx';
import { ErrorText, Spinner } from '../components/states.tsx';

type Summary = ClientResult<'adInvoices'>['items'][number];

export const adInvoicePath = (advertiserId: string, month: string) => `/ads/invoices/${encodeURIComponent(advertiserId)}/${month}`;
export const adInvoiceCsvPath = (advertiserId: string, month: string) =>
  `/api/ads/advertisers/${encodeURIComponent(advertiserId)}/invoices/${month}/invoice.csv`;

export const monthName = (month: string) =>
  new Date(`${month}-01T00:00:00Z`).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
export const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { timeZone: 'UTC' });

/** The advertiser's monthly invoices (newest first), on the balance panel. */
export function AdsInvoicesList({ advertiserId }: { advertiserId: string }) {
  const [state, setState] = useState<{ items: Summary[] } | { error: string } | null>(null);
  useEffect(() => {
    let cancelled = false;
    api.call('adInvoices', { params: { id: advertiserId } }).then(
      (r) => !cancelled && setState({ items: r.items }),
      (err: unknown) => !cancelled && setState({ error: errorMessage(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [advertiserId]);

  return (
    <div className="ads-invoices" data-testid="invoice-list">
      <h3 className="ads-h3">Invoices</h3>
      {!state && <Spinner />}
      {state && 'error' in state && <ErrorText message={state.error} />}
      {state && 'items' in state && state.items.length === 0 && <p className="dv-muted">No invoices yet.</p>}
      {state && 'items' in state && state.items.length > 0 && (
        <ul className="ads-list">
          {state.items.map((inv) => (
            <li key={inv.month} className="ads-row" data-testid="invoice-row" data-month={inv.month}>
              <Link to={adInvoicePath(advertiserId, inv.month)} className="ads-row-main" data-testid="invoice-link">
                <strong>{inv.number}</strong>
                <span className="dv-muted">
                  {monthName(inv.month)}
                  {!inv.final && ' · running month, not final'}
                </span>
              </Link>
              <div className="ads-row-actions">
                <a href={adInvoiceCsvPath(advertiserId, inv.month)} className="btn btn-secondary dv-btn-small" download>
                  CSV
                </a>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
