import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Payout } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { navigate, profilePath } from '../router.ts';
import { formatAmount, formatUsd } from '../wallet-format.ts';
import '../styles/wallet.css';

const TABS: Payout['status'][] = ['pending', 'approving', 'paid', 'rejected', 'expired'];

/** Staff: review cash-out requests (admins decide) and look up a user's wallet (support). */
export function StaffPayoutsPage() {
  const { me, loading } = useMe();
  const [tab, setTab] = useState<Payout['status']>('pending');
  const [items, setItems] = useState<Payout[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [lookup, setLookup] = useState('');
  const load = useCallback(async (status: Payout['status']) => {
    setItems(null);
    setItems((await api.call('staffPayouts', { query: { status } })).items);
  }, []);
  const isStaff = !!me && (me.roles.includes('admin') || me.roles.includes('support'));
  useEffect(() => {
    document.title = 'Cash-out requests · Flick';
    if (isStaff) load(tab).catch((err: unknown) => setError(errorMessage(err)));
  }, [isStaff, tab, load]);

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
  const isAdmin = me.roles.includes('admin');
  const approve = async (id: string) => {
    setError(null);
    try {
      const p = await api.call('approvePayout', { params: { id } });
      showToast(p.status === 'paid' ? `Paid ${formatUsd(p.amountCents)} to @${p.user.username}` : `Approved; the payout is ${p.status}`);
      await load(tab);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const reject = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!rejecting) return;
    setError(null);
    try {
      await api.call('rejectPayout', { params: { id: rejecting }, body: { reason } });
      setRejecting(null);
      setReason('');
      await load(tab);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <div className="page staff-page" data-testid="staff-payouts">
      <header className="page-header">
        <h1>Cash-out requests</h1>
      </header>
      <form
        className="staff-lookup"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (lookup.trim()) navigate(`/staff/wallets/${encodeURIComponent(lookup.trim().replace(/^@/, ''))}`);
        }}
      >
        <input placeholder="Look up a user's wallet (username)" value={lookup} onChange={(ev) => setLookup(ev.target.value)} data-testid="staff-lookup" />
        <button type="submit" className="btn btn-secondary btn-small">
          Open
        </button>
      </form>
      <div className="staff-tabs" role="tablist">
        {TABS.map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            aria-selected={tab === s}
            className={tab === s ? 'is-active' : ''}
            onClick={() => setTab(s)}
            data-testid={`tab-${s}`}
          >
            {s}
          </button>
        ))}
      </div>
      <ErrorText message={error} />
      {!items && <Spinner />}
      {items?.length === 0 && <p className="muted">Nothing here.</p>}
      <ul className="payout-list">
        {items?.map((p) => (
          <li key={p.id} className="payout-row" data-testid="payout-row" data-user={p.user.username}>
            <div>
              <Link to={`/staff/wallets/${encodeURIComponent(p.user.username)}`}>@{p.user.username}</Link>
              <div className="muted small">
                {new Date(p.createdAt).toLocaleString()} · <Link to={profilePath(p.user.username)}>profile</Link>
              </div>
              {p.reason && <div className="muted small">Reason: {p.reason}</div>}
              {p.status === 'approving' && (
                <div className="muted small" data-testid="payout-approving">
                  Approved {p.approvedAt ? new Date(p.approvedAt).toLocaleString() : ''}; being paid (the payout provider is asked again every minute until it
                  confirms).
                  {p.lastError && <span className="error-text"> Last provider error: {p.lastError}</span>}
                </div>
              )}
            </div>
            <div className="payout-amount">
              <b>{formatUsd(p.amountCents)}</b>
              <span className="muted small">
                <img src="/gifts/diamond.svg" alt="diamonds" className="coin-icon" /> {formatAmount(p.diamonds)}
              </span>
            </div>
            {(p.status === 'pending' || p.status === 'approving') && isAdmin && (
              <div className="payout-actions">
                <button type="button" className="btn btn-primary btn-small" onClick={() => void approve(p.id)} data-testid="payout-approve">
                  {p.status === 'approving' ? 'Retry payment' : 'Approve'}
                </button>
                <button type="button" className="btn btn-ghost btn-small" onClick={() => setRejecting(p.id)} data-testid="payout-reject">
                  Reject
                </button>
              </div>
            )}
            {rejecting === p.id && (
              <form className="reject-form" onSubmit={(ev) => void reject(ev)}>
                <input
                  autoFocus
                  placeholder="Reason (shown to the creator)"
                  value={reason}
                  onChange={(ev) => setReason(ev.target.value)}
                  data-testid="reject-reason"
                />
                <button type="submit" className="btn btn-secondary btn-small" data-testid="reject-confirm">
                  Reject
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
