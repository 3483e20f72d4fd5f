import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage, useMe } from '../api.ts';
import { Avatar } from '../components/avatar.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { profilePath } from '../router.ts';
import { formatAmount, formatUsd } from '../wallet-format.ts';
import '../styles/wallet.css';

type Support = Awaited<ReturnType<typeof api.call<'supportWallet'>>>;
type Standing = Awaited<ReturnType<typeof api.call<'accountStanding'>>>;

/** Support's view of one user's money: purchases (refund), recovery balance, payouts and fraud flags. */
export function StaffWalletPage({ username }: { username: string }) {
  const { me, loading } = useMe();
  const [data, setData] = useState<Support | null>(null);
  const [standing, setStanding] = useState<Standing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    const [wallet, account] = await Promise.all([api.call('supportWallet', { params: { username } }), api.call('accountStanding', { params: { username } })]);
    setData(wallet);
    setStanding(account);
  }, [username]);
  const isStaff = !!me && (me.roles.includes('admin') || me.roles.includes('support'));
  useEffect(() => {
    document.title = `@${username} wallet · Flick`;
    if (isStaff) load().catch((err: unknown) => setError(errorMessage(err)));
  }, [isStaff, load, username]);
  if (loading)
    return (
      <div className="page page-center">
        <Spinner />
      </div>
    );
  if (!isStaff)
    return (
      <div className="page page-center">
        <CenterState title="Staff only" tone="error">
          <p>This page is for support and admin staff.</p>
        </CenterState>
      </div>
    );
  const refund = async (id: string) => {
    setError(null);
    try {
      await api.call('refundPurchase', { params: { id } });
      showToast('Refund sent to the provider; coins are clawed back when it confirms');
      setTimeout(() => void load().catch(() => undefined), 3000);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <div className="page staff-page" data-testid="staff-wallet">
      <header className="page-header">
        <h1>Wallet of @{username}</h1>
      </header>
      <ErrorText message={error} />
      {!data && !error && <Spinner />}
      {data && (
        <>
          <section className="staff-user">
            <Avatar user={data.user} size={40} />
            <Link to={profilePath(data.user.username)}>@{data.user.username}</Link>
            {data.isMinor && <span className="badge">under 18</span>}
          </section>
          <dl className="staff-facts">
            <dt>Coins</dt>
            <dd data-testid="support-coins">{formatAmount(data.wallet.coins)}</dd>
            <dt>Recovery owed</dt>
            <dd data-testid="support-recovery">{formatAmount(data.wallet.recoveryOwed)}</dd>
            <dt>Diamonds</dt>
            <dd>{formatAmount(data.diamonds)}</dd>
            <dt>Daily limit</dt>
            <dd>{data.wallet.dailyLimitCents === null ? 'none' : formatUsd(data.wallet.dailyLimitCents)}</dd>
          </dl>
          {standing && <AccountStandingCard standing={standing} canChange={!!me?.roles.includes('admin')} onChange={setStanding} />}
          <h2 className="wallet-h2">Flags</h2>
          {data.flags.length === 0 && <p className="muted">None.</p>}
          <ul className="flag-list" data-testid="support-flags">
            {data.flags.map((f, i) => (
              <li key={i}>
                <span className="badge">{f.kind}</span> <span className="muted small">{new Date(f.at).toLocaleString()}</span>
                <div className="small">{f.detail}</div>
              </li>
            ))}
          </ul>
          <h2 className="wallet-h2">Purchases</h2>
          <ul className="wallet-history" data-testid="support-purchases">
            {data.purchases.map((p) => (
              <li key={p.id} data-status={p.status}>
                <span>
                  {formatAmount(p.coins)} coins · {formatUsd(p.priceCents)} · <b>{p.status}</b>
                  {(p.clawedBackCoins > 0 || p.recoveryCoins > 0) && (
                    <span className="muted small">
                      {' '}
                      (clawed back {p.clawedBackCoins}, recovery {p.recoveryCoins})
                    </span>
                  )}
                </span>
                <span className="muted small">{new Date(p.createdAt).toLocaleString()}</span>
                {p.status === 'succeeded' && (
                  <button type="button" className="btn btn-ghost btn-small" onClick={() => void refund(p.id)} data-testid="support-refund">
                    Refund
                  </button>
                )}
              </li>
            ))}
          </ul>
          <h2 className="wallet-h2">Cash-outs</h2>
          <ul className="wallet-history">
            {data.payouts.map((p) => (
              <li key={p.id}>
                <span>
                  {formatUsd(p.amountCents)} · {p.status}
                </span>
                <span className="muted small">{new Date(p.createdAt).toLocaleString()}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** Suspension state and its audit trail; admins suspend (no gifts received, no cash-out) or lift it, with a reason. */
function AccountStandingCard({ standing, canChange, onChange }: { standing: Standing; canChange: boolean; onChange: (s: Standing) => void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async () => {
    setBusy(true);
    setError(null);
    try {
      const params = { username: standing.user.username };
      onChange(await api.call(standing.suspended ? 'unsuspendAccount' : 'suspendAccount', { params, body: { reason } }));
      setReason('');
      showToast(standing.suspended ? 'Suspension lifted' : 'Account suspended');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="staff-standing" data-testid="account-standing">
      <h2 className="wallet-h2">Account</h2>
      <p>
        <span className={`badge ${standing.suspended ? 'badge-danger' : ''}`} data-testid="account-status">
          {standing.suspended ? 'Suspended' : 'Active'}
        </span>
        {standing.suspended && standing.reason && <span className="small"> {standing.reason}</span>}
      </p>
      {standing.suspended && <p className="muted small">Receives no gifts and cannot cash out; pending cash-outs can be rejected, not paid.</p>}
      {canChange && (
        <form
          className="staff-standing-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act();
          }}
        >
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder={standing.suspended ? 'Why lift it?' : 'Why suspend?'}
            maxLength={500}
            data-testid="account-reason"
          />
          <button type="submit" className="btn btn-small" disabled={busy || reason.trim().length < 3} data-testid="account-toggle">
            {standing.suspended ? 'Lift suspension' : 'Suspend'}
          </button>
        </form>
      )}
      <ErrorText message={error} />
      {standing.actions.length > 0 && (
        <ul className="flag-list" data-testid="account-actions">
          {standing.actions.map((a, i) => (
            <li key={i}>
              <span className="badge">{a.action}</span> <span className="muted small">{new Date(a.at).toLocaleString()}</span>
              <div className="small">
                {a.reason} — {a.actor ? `@${a.actor.username}` : 'deleted staff account'}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
