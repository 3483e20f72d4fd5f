import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { LedgerAccount, LedgerAccountDetail, LedgerReconcileReport, LedgerRevenue, LedgerTransferDetail } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import '../styles/staff-ledger.css';

const ASSETS = ['', 'COIN', 'DIAMOND', 'USD'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const fmt = (asset: string, n: number) => (asset === 'USD' ? `$${(n / 100).toFixed(2)}` : n.toLocaleString('en-US'));

/** Staff (admin, support): the ledger explorer — accounts, transfers, reconciliation, platform revenue. */
export function StaffLedgerPage() {
  const { me, loading } = useMe();
  const isStaff = !!me && (me.roles.includes('admin') || me.roles.includes('support'));
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [asset, setAsset] = useState<(typeof ASSETS)[number]>('');
  const [accounts, setAccounts] = useState<LedgerAccount[] | null>(null);
  const [detail, setDetail] = useState<LedgerAccountDetail | null>(null);
  const [transfer, setTransfer] = useState<LedgerTransferDetail | null>(null);
  const [report, setReport] = useState<LedgerReconcileReport | null>(null);
  const [revenue, setRevenue] = useState<LedgerRevenue | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const search = useCallback(async (query: { q?: string; kind?: string; asset?: 'COIN' | 'DIAMOND' | 'USD' }) => {
    setAccounts((await api.call('ledgerAccounts', { query: { ...query, limit: 50 } })).items);
  }, []);
  useEffect(() => {
    document.title = 'Ledger · Flick staff';
    if (!isStaff) return;
    Promise.all([
      search({}),
      api.call('ledgerReconciliation').then((r) => setReport(r.report)),
      api.call('ledgerRevenue', { query: { days: 30 } }).then(setRevenue),
    ]).catch((err: unknown) => setError(errorMessage(err)));
  }, [isStaff, search]);

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
          <p>The ledger is for support and admin staff.</p>
        </CenterState>
      </div>
    );

  const run = async (f: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await f();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const onSearch = (ev: FormEvent) => {
    ev.preventDefault();
    const query = q.trim();
    void run(async () => {
      await search({ q: query || undefined, kind: kind || undefined, asset: asset || undefined });
      // An id may also be a transfer's: purchase, gift and payout ids are the ids of their ledger transfers.
      if (UUID.test(query)) {
        const found = await api.call('ledgerTransfer', { params: { id: query } }).catch(() => null);
        setTransfer(found);
        if (found) setDetail(null);
      }
    });
  };
  const openAccount = (id: string, cursor?: string) =>
    run(async () => {
      setTransfer(null);
      const d = await api.call('ledgerAccount', { params: { id }, query: { limit: 25, cursor } });
      setDetail(cursor && detail ? { ...d, transfers: { items: [...detail.transfers.items, ...d.transfers.items], nextCursor: d.transfers.nextCursor } } : d);
    });
  const openTransfer = (id: string) => run(async () => setTransfer(await api.call('ledgerTransfer', { params: { id } })));
  const reconcileNow = () => run(async () => setReport((await api.call('ledgerReconcileNow')).report));

  return (
    <div className="page staff-ledger" data-testid="staff-ledger">
      <h1>Ledger</h1>
      <ErrorText message={error} />

      <section className="ledger-card" data-testid="ledger-reconciliation">
        <div className="ledger-row">
          <h2>Reconciliation</h2>
          <button className="btn" onClick={() => void reconcileNow()} disabled={busy} data-testid="ledger-reconcile-now">
            Run now
          </button>
        </div>
        {report ? (
          <>
            <p className={report.ok ? 'ledger-ok' : 'ledger-bad'} data-testid="ledger-reconcile-status">
              {report.ok ? 'Balanced' : `${report.violationCount} violation(s)`} · {new Date(report.at).toLocaleString()} · {report.transfers} transfers,{' '}
              {report.accounts} accounts, {report.openPending} pending · {report.durationMs} ms
            </p>
            <table className="ledger-table">
              <thead>
                <tr>
                  <th>Asset</th>
                  <th>Σ debits</th>
                  <th>Σ credits</th>
                  <th>pending</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {report.assets.map((a) => (
                  <tr key={a.asset}>
                    <td>{a.asset}</td>
                    <td>{fmt(a.asset, a.debitsPosted)}</td>
                    <td>{fmt(a.asset, a.creditsPosted)}</td>
                    <td>{fmt(a.asset, a.debitsPending)}</td>
                    <td>{a.balanced ? '✓' : '✗'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {report.violations.map((v, i) => (
              <p key={i} className="ledger-bad">
                {v.kind}: {v.detail} {v.accountId ?? v.transferId ?? ''}
              </p>
            ))}
          </>
        ) : (
          <p className="ledger-muted">No reconciliation has run yet.</p>
        )}
      </section>

      <section className="ledger-card" data-testid="ledger-revenue">
        <h2>Platform revenue (30 days)</h2>
        {revenue && revenue.days.length ? (
          <table className="ledger-table">
            <thead>
              <tr>
                <th>Day</th>
                <th>Asset</th>
                <th>Credited</th>
                <th>Reversed</th>
                <th>Net</th>
              </tr>
            </thead>
            <tbody>
              {revenue.days.map((d) => (
                <tr key={d.day + d.asset}>
                  <td>{d.day}</td>
                  <td>{d.asset}</td>
                  <td>{fmt(d.asset, d.credited)}</td>
                  <td>{fmt(d.asset, d.debited)}</td>
                  <td>{fmt(d.asset, d.net)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="ledger-muted">No revenue in the last 30 days.</p>
        )}
      </section>

      <section className="ledger-card">
        <h2>Accounts</h2>
        <form className="ledger-search" onSubmit={onSearch}>
          <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="username, owner, account or transfer id" data-testid="ledger-q" maxLength={64} />
          <input value={kind} onChange={(e) => setKind(e.target.value)} placeholder="kind (wallet…)" maxLength={48} />
          <select value={asset} onChange={(e) => setAsset(e.target.value as (typeof ASSETS)[number])}>
            {ASSETS.map((a) => (
              <option key={a} value={a}>
                {a || 'any asset'}
              </option>
            ))}
          </select>
          <button className="btn" type="submit" disabled={busy} data-testid="ledger-search">
            Search
          </button>
        </form>
        <table className="ledger-table" data-testid="ledger-accounts">
          <tbody>
            {(accounts ?? []).map((a) => (
              <tr key={a.id} className="ledger-click" onClick={() => void openAccount(a.id)} data-testid="ledger-account-row">
                <td>{a.ownerUsername ? `@${a.ownerUsername}` : a.ownerId ? a.ownerId.slice(0, 8) : 'platform'}</td>
                <td>{a.kind}</td>
                <td>{a.asset}</td>
                <td className="ledger-num">{fmt(a.asset, a.balance)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {accounts && !accounts.length && <p className="ledger-muted">No accounts match.</p>}
      </section>

      {detail && (
        <section className="ledger-card" data-testid="ledger-account">
          <h2>
            {detail.account.kind} · {detail.account.asset} {detail.account.ownerUsername ? `· @${detail.account.ownerUsername}` : ''}
          </h2>
          <p className="ledger-muted">
            {detail.account.id} · balance {fmt(detail.account.asset, detail.account.balance)} · debits {detail.account.debitsPosted} (+
            {detail.account.debitsPending} pending) · credits {detail.account.creditsPosted} (+{detail.account.creditsPending} pending)
            {detail.account.flags.debitsMustNotExceedCredits ? ' · no overdraft' : ''}
          </p>
          <TransferTable items={detail.transfers.items} accountId={detail.account.id} onOpen={(id) => void openTransfer(id)} />
          {detail.transfers.nextCursor && (
            <button className="btn" onClick={() => void openAccount(detail.account.id, detail.transfers.nextCursor!)} disabled={busy}>
              More
            </button>
          )}
        </section>
      )}

      {transfer && (
        <section className="ledger-card" data-testid="ledger-transfer">
          <h2>Transfer</h2>
          <dl className="ledger-dl">
            <dt>id</dt>
            <dd>{transfer.transfer.id}</dd>
            <dt>amount</dt>
            <dd>
              {fmt(transfer.transfer.asset, transfer.transfer.amount)} {transfer.transfer.asset}
            </dd>
            <dt>code</dt>
            <dd>{transfer.transfer.code}</dd>
            <dt>kind / state</dt>
            <dd>
              {transfer.transfer.kind} / {transfer.transfer.state}
            </dd>
            <dt>debit</dt>
            <dd className="ledger-click" onClick={() => void openAccount(transfer.debitAccount.id)}>
              {transfer.debitAccount.kind} {transfer.debitAccount.ownerUsername ? `@${transfer.debitAccount.ownerUsername}` : ''}
            </dd>
            <dt>credit</dt>
            <dd className="ledger-click" onClick={() => void openAccount(transfer.creditAccount.id)}>
              {transfer.creditAccount.kind} {transfer.creditAccount.ownerUsername ? `@${transfer.creditAccount.ownerUsername}` : ''}
            </dd>
            <dt>at</dt>
            <dd>{new Date(transfer.transfer.createdAt).toLocaleString()}</dd>
            {transfer.transfer.timeoutAt && (
              <>
                <dt>times out</dt>
                <dd>{new Date(transfer.transfer.timeoutAt).toLocaleString()}</dd>
              </>
            )}
            <dt>meta</dt>
            <dd>
              <code>{JSON.stringify(transfer.transfer.meta)}</code>
            </dd>
          </dl>
          {transfer.related.map((r) => (
            <p key={r.id} className="ledger-click" onClick={() => void openTransfer(r.id)}>
              {r.kind === 'pending' ? 'pending transfer' : r.kind} {r.id.slice(0, 8)} · {r.amount} · {r.state}
            </p>
          ))}
        </section>
      )}
    </div>
  );
}

function TransferTable({ items, accountId, onOpen }: { items: LedgerAccountDetail['transfers']['items']; accountId: string; onOpen: (id: string) => void }) {
  if (!items.length) return <p className="ledger-muted">No transfers.</p>;
  return (
    <table className="ledger-table" data-testid="ledger-transfers">
      <tbody>
        {items.map((t) => {
          const out = t.debitAccountId === accountId;
          return (
            <tr key={t.id} className="ledger-click" onClick={() => onOpen(t.id)}>
              <td>{new Date(t.createdAt).toLocaleDateString()}</td>
              <td>{t.code}</td>
              <td>{t.kind === 'single' ? '' : `${t.kind}/${t.state}`}</td>
              <td className={`ledger-num ${out ? 'ledger-out' : 'ledger-in'}`}>
                {out ? '−' : '+'}
                {fmt(t.asset, t.amount)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
