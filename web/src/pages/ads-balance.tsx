import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { AdTopupBody, type ClientResult } from '@flick/contracts';
import { api, errorMessage } from '../api.ts';
import { ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { AdsInvoicesList } from './ads-invoices.tsx';
import { apiErrors, fmtCents, leftover, zodErrors, type FieldErrors } from './ads-format.ts';

type Balance = ClientResult<'adBalance'>;

/** The sandbox provider's test cards (Stripe's numbers), as on the wallet page. */
const CARDS = [
  { number: '4242424242424242', label: 'Visa •••• 4242', hint: 'pays at once' },
  { number: '4000000000000002', label: 'Visa •••• 0002', hint: 'is declined' },
];
const SETTLED = new Set(['succeeded', 'failed', 'refunded', 'charged_back']);

/** Prepaid balance (nothing is delivered without funds) and card top-ups, credited when the provider confirms. */
export function AdsBalancePanel({ advertiserId, canEdit }: { advertiserId: string; canEdit: boolean }) {
  const [balance, setBalance] = useState<Balance | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [amount, setAmount] = useState('100');
  const [card, setCard] = useState(CARDS[0]!.number);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);

  const load = useCallback(
    () =>
      api.call('adBalance', { params: { id: advertiserId } }).then(
        (b) => {
          setBalance(b);
          return b;
        },
        (err: unknown) => {
          setError(errorMessage(err));
          return null;
        },
      ),
    [advertiserId],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const topUp = async (e: FormEvent) => {
    e.preventDefault();
    const body = { id: crypto.randomUUID(), amountCents: amount.trim() === '' ? Number.NaN : Math.round(Number(amount) * 100), paymentMethod: card };
    const checked = AdTopupBody.safeParse(body);
    if (!checked.success) return setErrors(zodErrors(checked.error));
    setBusy(true);
    setErrors({});
    setStatus(null);
    try {
      let t = await api.call('adTopUp', { params: { id: advertiserId }, body: checked.data });
      if (t.status === 'requires_action' && t.actionUrl) {
        setStatus('Your bank asks you to confirm this payment.');
        window.open(t.actionUrl, '_blank', 'noopener');
      } else setStatus('Confirming your payment…');
      // Credited on the provider's webhook: follow the top-up until it settles.
      const end = Date.now() + 30_000;
      while (!SETTLED.has(t.status) && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 800));
        const b = await load();
        t = b?.topups.find((x) => x.id === t.id) ?? t;
      }
      if (t.status === 'succeeded') {
        setStatus(`${fmtCents(t.amountCents)} added`);
        showToast(`${fmtCents(t.amountCents)} added to your ad balance`);
      } else if (t.status === 'failed') setStatus(`Payment failed: ${t.failureReason ?? 'declined'}`);
      else setStatus(`Payment ${t.status.replace('_', ' ')}: the balance updates when it is confirmed.`);
      await load();
    } catch (err) {
      setErrors(apiErrors(err, errorMessage));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="dv-section" data-testid="ads-balance">
      <h2 className="dv-h2">Balance</h2>
      {error && <ErrorText message={error} />}
      {!balance && !error && <Spinner />}
      {balance && (
        <div className="dv-stats">
          <div className="dv-stat">
            <span className="dv-stat-value" data-testid="balance-available">
              {fmtCents(balance.availableCents)}
            </span>
            <span className="dv-stat-label">Available</span>
          </div>
          <div className="dv-stat">
            <span className="dv-stat-value">{fmtCents(balance.reservedCents)}</span>
            <span className="dv-stat-label">Reserved for delivery</span>
          </div>
          <div className="dv-stat">
            <span className="dv-stat-value" data-testid="balance-spent">
              {fmtCents(balance.spentCents)}
            </span>
            <span className="dv-stat-label">Spent</span>
          </div>
        </div>
      )}
      {balance && balance.availableCents <= 0 && <p className="dv-pad dv-muted">Ads run only while the balance covers them: add funds to start delivery.</p>}
      {canEdit && (
        <form className="dv-form ads-topup" onSubmit={(e) => void topUp(e)} noValidate data-testid="topup-form">
          <label className="ads-field">
            <span>Add funds (USD)</span>
            <input
              type="number"
              inputMode="decimal"
              min="10"
              step="0.01"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              data-testid="topup-amount"
            />
            {errors.amountCents && (
              <small className="ads-field-error" data-testid="error-topup-amount">
                {errors.amountCents}
              </small>
            )}
          </label>
          <fieldset className="ads-checks">
            <legend>Pay with a sandbox test card</legend>
            {CARDS.map((c) => (
              <label key={c.number} className="ads-check">
                <input
                  type="radio"
                  name="ads-card"
                  checked={card === c.number}
                  onChange={() => setCard(c.number)}
                  data-testid={`topup-card-${c.number.slice(-4)}`}
                />
                {c.label} <span className="dv-muted">({c.hint})</span>
              </label>
            ))}
          </fieldset>
          <ErrorText message={leftover(errors, ['amountCents'])} />
          {status && (
            <p className="dv-muted" role="status" data-testid="topup-status">
              {status}
            </p>
          )}
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="topup-submit">
            Add funds
          </button>
        </form>
      )}
      {balance && balance.topups.length > 0 && (
        <ul className="ads-list ads-topups" data-testid="topup-list">
          {balance.topups.slice(0, 5).map((t) => (
            <li key={t.id} className="ads-row" data-status={t.status}>
              <span className="ads-row-main">
                <strong>{fmtCents(t.amountCents)}</strong>
                <span className="dv-muted">
                  {new Date(t.createdAt).toLocaleString()} · {t.status.replace('_', ' ')}
                  {t.failureReason ? ` — ${t.failureReason}` : ''}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
      <AdsInvoicesList advertiserId={advertiserId} />
    </section>
  );
}
