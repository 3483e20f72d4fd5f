import { useEffect, useState } from 'react';
import type { Purchase } from '@flick/contracts';
import { api, errorMessage } from '../api.ts';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { navigate } from '../router.ts';
import { formatUsd } from '../wallet-format.ts';
import '../styles/wallet.css';

/** The sandbox bank's 3-D Secure challenge: the buyer confirms (or cancels) their payment here. */
export function Wallet3dsPage({ id }: { id: string }) {
  const [purchase, setPurchase] = useState<Purchase | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Confirm payment · Flick';
    api.call('purchase', { params: { id } }).then(setPurchase, (err: unknown) => setError(errorMessage(err)));
  }, [id]);
  const decide = async (approve: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await api.call('sandbox3ds', { params: { id }, body: { approve } });
      navigate(`/wallet?purchase=${encodeURIComponent(id)}`, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  if (!purchase)
    return (
      <div className="page page-center">
        {error ? (
          <CenterState title="Payment not found" tone="error">
            <p>{error}</p>
          </CenterState>
        ) : (
          <Spinner />
        )}
      </div>
    );
  return (
    <div className="page page-center">
      <div className="three-ds" data-testid="three-ds">
        <div className="three-ds-bank">Sandbox Bank · Secure check</div>
        <h1>Confirm your payment</h1>
        <p>
          Flick is asking for <b>{formatUsd(purchase.priceCents)}</b> ({purchase.coins.toLocaleString('en-US')} coins).
        </p>
        {purchase.status === 'requires_action' ? (
          <div className="sheet-stack">
            <button type="button" className="btn btn-primary btn-block" disabled={busy} onClick={() => void decide(true)} data-testid="three-ds-approve">
              Confirm payment
            </button>
            <button type="button" className="btn btn-ghost btn-block" disabled={busy} onClick={() => void decide(false)} data-testid="three-ds-cancel">
              Cancel
            </button>
          </div>
        ) : (
          <p className="muted">This payment is {purchase.status.replace('_', ' ')}.</p>
        )}
        <ErrorText message={error} />
      </div>
    </div>
  );
}
