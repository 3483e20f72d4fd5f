import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Payout } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { Avatar } from '../components/avatar.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { loginPath, profilePath, videoPath } from '../router.ts';
import { plural } from '../format.ts';
import { formatAmount, formatUsd } from '../wallet-format.ts';
import '../styles/wallet.css';

type Earnings = Awaited<ReturnType<typeof api.call<'earnings'>>>;

const STATUS: Record<Payout['status'], string> = {
  pending: 'Waiting for review',
  approving: 'Approved, being paid',
  paid: 'Paid',
  rejected: 'Rejected',
  expired: 'Expired',
};

export function EarningsPage() {
  const { me, loading } = useMe();
  const [e, setE] = useState<Earnings | null>(null);
  const [payouts, setPayouts] = useState<Payout[]>([]);
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = useCallback(async () => {
    const [x, p] = await Promise.all([api.call('earnings', { query: { days: 30 } }), api.call('myPayouts')]);
    setE(x);
    setPayouts(p.items);
  }, []);
  useEffect(() => {
    document.title = 'Earnings · Flick';
    if (me) reload().catch((err: unknown) => setError(errorMessage(err)));
  }, [me, reload]);

  if (loading)
    return (
      <div className="page page-center">
        <Spinner />
      </div>
    );
  if (!me)
    return (
      <div className="page page-center">
        <CenterState title="Log in to see your earnings">
          <Link to={loginPath('/earnings')} className="btn btn-primary">
            Log in
          </Link>
        </CenterState>
      </div>
    );

  const cashOut = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(null);
    const n = Number(amount);
    if (!Number.isSafeInteger(n) || n <= 0) return setError('Enter a whole number of diamonds.');
    setBusy(true);
    try {
      await api.call('requestPayout', { body: { id: crypto.randomUUID(), diamonds: n } });
      setAmount('');
      showToast('Cash-out requested');
      await reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const exportCsv = async () => {
    setError(null);
    try {
      const s = await api.call('earningsStatement');
      const url = URL.createObjectURL(new Blob([s.csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `flick-earnings-${new Date().toISOString().slice(0, 10)}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const maxDay = Math.max(1, ...(e?.byDay.map((d) => d.diamonds) ?? [1]));
  return (
    <div className="page earnings-page" data-testid="earnings-page">
      <header className="page-header">
        <h1>Earnings</h1>
      </header>
      <section className="earn-summary">
        <div>
          <div className="earn-big" data-testid="earnings-diamonds">
            <img src="/gifts/diamond.svg" alt="diamonds" className="coin-icon" /> {e ? formatAmount(e.diamonds) : '…'}
          </div>
          <div className="muted small">diamonds available</div>
        </div>
        <div>
          <div className="earn-big" data-testid="earnings-usd">
            {e ? formatUsd(e.usdCents) : '…'}
          </div>
          <div className="muted small">1 diamond = {e ? formatUsd(e.diamondUsdCents) : '…'}</div>
        </div>
      </section>
      {e && (
        <p className="muted small">
          Reserved for cash-out: {formatAmount(e.pendingPayoutDiamonds)} · paid out so far: {formatAmount(e.paidOutDiamonds)}
        </p>
      )}
      <ErrorText message={error} />
      <section>
        <h2 className="wallet-h2">Cash out</h2>
        {e && !e.canCashOut ? (
          <p className="wallet-notice">Cashing out is available from 18.</p>
        ) : (
          <form className="limit-form" onSubmit={(ev) => void cashOut(ev)}>
            <div className="field">
              <label htmlFor="cash-out">
                Diamonds (at least {e ? formatAmount(e.minPayoutDiamonds) : '…'}; up to {e ? formatAmount(e.requestableTodayDiamonds) : '…'} today)
              </label>
              <input id="cash-out" inputMode="numeric" value={amount} onChange={(ev) => setAmount(ev.target.value)} data-testid="cash-out-amount" />
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="cash-out-submit">
              Request cash-out
            </button>
          </form>
        )}
        <ul className="wallet-history" data-testid="my-payouts">
          {payouts.map((p) => (
            <li key={p.id} data-status={p.status}>
              <span>
                {formatAmount(p.diamonds)} diamonds → {formatUsd(p.amountCents)}
              </span>
              <span className="muted small">{new Date(p.createdAt).toLocaleDateString()}</span>
              <b className={`payout-${p.status}`}>{STATUS[p.status]}</b>
            </li>
          ))}
        </ul>
      </section>
      <section>
        <div className="wallet-h2-row">
          <h2 className="wallet-h2">Last 30 days</h2>
          <button type="button" className="btn btn-secondary btn-small" onClick={() => void exportCsv()} data-testid="export-csv">
            Export CSV
          </button>
        </div>
        {e?.byDay.length === 0 && <p className="muted">No gifts yet. Gifts on your videos turn into diamonds.</p>}
        <ul className="earn-days">
          {e?.byDay.map((d) => (
            <li key={d.day}>
              <span className="muted small">{d.day}</span>
              <span className="earn-bar" style={{ width: `${Math.max(4, (d.diamonds / maxDay) * 100)}%` }} />
              <b>{formatAmount(d.diamonds)}</b>
            </li>
          ))}
        </ul>
      </section>
      {e && e.byVideo.length > 0 && (
        <section>
          <h2 className="wallet-h2">By video</h2>
          <ul className="wallet-history" data-testid="earnings-by-video">
            {e.byVideo.map((v) => (
              <li key={v.videoId}>
                <Link to={videoPath(v.videoId)}>{v.caption?.trim() || 'Untitled video'}</Link>
                <span className="muted small">
                  {v.gifts} {plural(v.gifts, 'gift')}
                </span>
                <b>
                  <img src="/gifts/diamond.svg" alt="diamonds" className="coin-icon" /> {formatAmount(v.diamonds)}
                </b>
              </li>
            ))}
          </ul>
        </section>
      )}
      {e && e.byGifter.length > 0 && (
        <section>
          <h2 className="wallet-h2">Top gifters</h2>
          <ul className="wallet-history" data-testid="earnings-by-gifter">
            {e.byGifter.map((g) => (
              <li key={g.user.id}>
                <Link to={profilePath(g.user.username)} className="gifter">
                  <Avatar user={g.user} size={24} /> @{g.user.username}
                </Link>
                <span className="muted small">
                  {g.gifts} {plural(g.gifts, 'gift')}
                </span>
                <b>
                  <img src="/gifts/diamond.svg" alt="diamonds" className="coin-icon" /> {formatAmount(g.diamonds)}
                </b>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
