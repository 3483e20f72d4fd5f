import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CoinPackage, Purchase, Wallet } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { loginPath, navigate, useLocation } from '../router.ts';
import { formatAmount, formatUsd } from '../wallet-format.ts';
import '../styles/wallet.css';

type History = Awaited<ReturnType<typeof api.call<'walletHistory'>>>;

/** The sandbox provider's test cards (Stripe's numbers). */
const CARDS = [
  { number: '4242424242424242', label: 'Visa •••• 4242', hint: 'pays at once' },
  { number: '4000002760003184', label: 'Visa •••• 3184', hint: 'asks your bank to confirm (3-D Secure)' },
  { number: '4000000000000002', label: 'Visa •••• 0002', hint: 'is declined' },
];

/** Waits for the provider's webhook to settle a purchase (after a 3-D Secure step it still says requires_action until then). */
export async function waitForPurchase(id: string, timeoutMs = 30_000): Promise<Purchase> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const p = await api.call('purchase', { params: { id } });
    if ((p.status !== 'pending' && p.status !== 'requires_action') || Date.now() > end) return p;
    await new Promise((r) => setTimeout(r, 700));
  }
}

export function WalletPage() {
  const { me, loading } = useMe();
  const { search } = useLocation();
  const [wallet, setWallet] = useState<Wallet | null>(null);
  const [packages, setPackages] = useState<CoinPackage[]>([]);
  const [history, setHistory] = useState<History | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<CoinPackage | null>(null);
  const [card, setCard] = useState(CARDS[0]!.number);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [limit, setLimit] = useState('');

  const reload = useCallback(async () => {
    const [w, p, h] = await Promise.all([api.call('wallet'), api.call('coinPackages'), api.call('walletHistory', { query: { limit: 30 } })]);
    setWallet(w);
    setPackages(p.packages);
    setHistory(h);
    setLimit(w.dailyLimitCents === null ? '' : String(w.dailyLimitCents / 100));
  }, []);

  useEffect(() => {
    document.title = 'Wallet · Flick';
    if (!me) return;
    reload().catch((err: unknown) => setError(errorMessage(err)));
  }, [me, reload]);

  // Back from a 3-D Secure step: wait for the purchase to settle.
  const returned = search.get('purchase');
  useEffect(() => {
    if (!me || !returned) return;
    setStatus('Confirming your payment…');
    waitForPurchase(returned)
      .then(async (p) => {
        setStatus(
          p.status === 'succeeded'
            ? `${formatAmount(p.coins)} coins added`
            : p.status === 'pending' || p.status === 'requires_action'
              ? 'Still waiting for the bank…'
              : `Payment ${p.status.replace('_', ' ')}`,
        );
        await reload();
        navigate('/wallet', { replace: true });
      })
      .catch((err: unknown) => setStatus(errorMessage(err)));
  }, [me, returned, reload]);

  if (loading)
    return (
      <div className="page page-center">
        <Spinner />
      </div>
    );
  if (!me)
    return (
      <div className="page page-center">
        <CenterState title="Log in to see your wallet">
          <Link to={loginPath('/wallet')} className="btn btn-primary">
            Log in
          </Link>
        </CenterState>
      </div>
    );

  const buy = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      const p = await api.call('buyCoins', { body: { id: crypto.randomUUID(), packageId: chosen.id, paymentMethod: card } });
      setChosen(null);
      if (p.status === 'requires_action' && p.actionUrl) {
        if (p.actionUrl.startsWith('/')) navigate(p.actionUrl);
        else location.assign(p.actionUrl);
        return;
      }
      if (p.status === 'failed') {
        setError(`Payment failed: ${p.failureReason ?? 'declined'}`);
        return;
      }
      setStatus('Confirming your payment…');
      const done = await waitForPurchase(p.id);
      setStatus(done.status === 'succeeded' ? `${formatAmount(done.coins)} coins added` : `Payment ${done.status}`);
      if (done.status === 'succeeded') showToast(`${formatAmount(done.coins)} coins added`);
      await reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const saveLimit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const v = limit.trim();
    const cents = v === '' ? null : Math.round(Number(v) * 100);
    if (cents !== null && (!Number.isFinite(cents) || cents <= 0)) return setError('Enter a positive amount in dollars, or leave it empty for no limit.');
    try {
      setWallet(await api.call('setSpendingLimit', { body: { dailyLimitCents: cents } }));
      showToast(cents === null ? 'Daily limit removed' : `Daily limit set to ${formatUsd(cents)}`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const staff = me.roles.includes('admin') || me.roles.includes('support');
  return (
    <div className="page wallet-page" data-testid="wallet-page">
      <header className="page-header">
        <h1>Wallet</h1>
      </header>
      <section className="wallet-balance">
        <img src="/gifts/coin.svg" alt="" className="coin-icon coin-icon-big" />
        <div>
          <div className="wallet-coins" data-testid="wallet-coins">
            {wallet ? formatAmount(wallet.coins) : '…'}
          </div>
          <div className="muted small">coins</div>
        </div>
        <Link to="/earnings" className="btn btn-secondary btn-small wallet-earnings-link" data-testid="earnings-link">
          Earnings
        </Link>
      </section>
      {wallet?.restrictions.map((r) => (
        <p key={r} className="wallet-notice" data-testid="wallet-restriction">
          {r}
        </p>
      ))}
      {status && (
        <p className="wallet-status" data-testid="wallet-status" role="status">
          {status}
        </p>
      )}
      <ErrorText message={error} />
      {wallet?.canBuy !== false && (
        <section>
          <h2 className="wallet-h2">Buy coins</h2>
          <ul className="coin-packages">
            {packages.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className={chosen?.id === p.id ? 'coin-package is-chosen' : 'coin-package'}
                  data-testid={`package-${p.id}`}
                  onClick={() => setChosen(p)}
                >
                  <span className="coin-package-coins">
                    <img src="/gifts/coin.svg" alt="" className="coin-icon" /> {formatAmount(p.coins)}
                  </span>
                  <span className="coin-package-price">{formatUsd(p.priceCents)}</span>
                </button>
              </li>
            ))}
          </ul>
          {chosen && (
            <div className="checkout" data-testid="checkout">
              <p>
                {chosen.label} for <b>{formatUsd(chosen.priceCents)}</b>
              </p>
              <fieldset className="card-choice">
                <legend className="muted small">Pay with a sandbox test card</legend>
                {CARDS.map((c) => (
                  <label key={c.number}>
                    <input
                      type="radio"
                      name="card"
                      value={c.number}
                      checked={card === c.number}
                      onChange={() => setCard(c.number)}
                      data-testid={`card-${c.number.slice(-4)}`}
                    />
                    <span>
                      {c.label} <span className="muted small">{c.hint}</span>
                    </span>
                  </label>
                ))}
              </fieldset>
              <button type="button" className="btn btn-primary btn-block" disabled={busy} onClick={() => void buy()} data-testid="pay-button">
                {busy ? 'Paying…' : `Pay ${formatUsd(chosen.priceCents)}`}
              </button>
            </div>
          )}
        </section>
      )}
      <section>
        <h2 className="wallet-h2">Daily spending limit</h2>
        <form className="limit-form" onSubmit={(e) => void saveLimit(e)}>
          <div className="field">
            <label htmlFor="daily-limit">Most I can spend on coins per day (US$, empty = no limit)</label>
            <input
              id="daily-limit"
              inputMode="decimal"
              value={limit}
              onChange={(e) => setLimit(e.target.value)}
              placeholder="No limit"
              data-testid="limit-input"
            />
          </div>
          <button type="submit" className="btn btn-secondary" data-testid="limit-save">
            Save limit
          </button>
          {wallet && <span className="muted small"> Spent today: {formatUsd(wallet.spentTodayCents)}</span>}
        </form>
      </section>
      <section>
        <h2 className="wallet-h2">History</h2>
        {history?.items.length === 0 && <p className="muted">No coin movements yet.</p>}
        <ul className="wallet-history" data-testid="wallet-history">
          {history?.items.map((h) => (
            <li key={h.id}>
              <span>{h.note}</span>
              <span className="muted small">{new Date(h.at).toLocaleString()}</span>
              <b className={h.coins >= 0 ? 'amount-in' : 'amount-out'}>
                {h.coins >= 0 ? '+' : ''}
                {formatAmount(h.coins)}
              </b>
            </li>
          ))}
        </ul>
      </section>
      {staff && (
        <section className="wallet-staff">
          <h2 className="wallet-h2">Staff</h2>
          <Link to="/staff/payouts" className="btn btn-secondary btn-small" data-testid="staff-payouts-link">
            Cash-out requests
          </Link>
        </section>
      )}
    </div>
  );
}
