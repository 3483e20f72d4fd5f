import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { PROMOTE_CARD_MIN_CENTS, PROMOTE_MAX_CENTS, PROMOTE_MIN_CENTS, PromoteBody, type Promotion, type SparkCode, type Video } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { CloseIcon } from './icons.tsx';
import { showToast } from './toast.tsx';
import '../styles/promote.css';

type Goal = Promotion['goal'];
const GOALS: { id: Goal; label: string; hint: string }[] = [
  { id: 'views', label: 'More views', hint: 'a Watch more button' },
  { id: 'follows', label: 'More followers', hint: 'a Follow button on the video' },
  { id: 'profile_visits', label: 'More profile visits', hint: 'a Visit profile button' },
];
/** The sandbox provider's test cards (Stripe's numbers), as on the wallet page. */
const CARDS = [
  { number: '4242424242424242', label: 'Visa •••• 4242' },
  { number: '4000000000000002', label: 'Declined card •••• 0002' },
];
const STATUS: Record<Promotion['status'], string> = {
  awaiting_payment: 'Waiting for payment',
  active: 'Running',
  completed: 'Completed',
  stopped: 'Stopped',
  payment_failed: 'Payment failed',
};
const usd = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/** "Promote" on your own public video: a form (goal, days, budget in coins or by card) and the video's promotions. */
export function PromotePanel({
  video,
  onTile = false,
}: {
  video: Video;
  /** On a profile grid tile: a small button in the tile's corner. */ onTile?: boolean;
}) {
  const { me } = useMe();
  const [open, setOpen] = useState(false);
  if (!me || me.id !== video.author.id || me.isMinor || video.visibility !== 'public' || video.status !== 'ready') return null;
  return (
    <>
      <button
        type="button"
        className={onTile ? 'btn btn-small btn-primary promote-open promote-open-tile' : 'btn btn-small btn-primary promote-open'}
        data-testid="promote-open"
        onClick={() => setOpen(true)}
      >
        Promote
      </button>
      {open && <PromoteSheet video={video} onClose={() => setOpen(false)} />}
    </>
  );
}

function PromoteSheet({ video, onClose }: { video: Video; onClose: () => void }) {
  const ids = { title: useId(), days: useId(), amount: useId() };
  const [goal, setGoal] = useState<Goal>('views');
  const [days, setDays] = useState(3);
  const [method, setMethod] = useState<'coins' | 'card'>('coins');
  const [amount, setAmount] = useState('1000');
  const [card, setCard] = useState(CARDS[0]!.number);
  const [coins, setCoins] = useState<number | null>(null);
  const [items, setItems] = useState<Promotion[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [w, p] = await Promise.all([api.call('wallet'), api.call('myPromotions', { query: { videoId: video.id } })]);
      setCoins(w.coins);
      setItems(p.items);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [video.id]);
  useEffect(() => {
    void load();
    // Card payments and results move on their own: follow them while the sheet is open.
    const timer = setInterval(() => void load(), 4000);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => {
      clearInterval(timer);
      window.removeEventListener('keydown', onKey);
    };
  }, [load, onClose]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const n = amount.trim() === '' ? Number.NaN : Number(amount);
    const payment =
      method === 'coins'
        ? { method: 'coins' as const, coins: Math.round(n) }
        : { method: 'card' as const, amountCents: Math.round(n * 100), paymentMethod: card };
    // The contract's own schema checks the form before anything is sent.
    const parsed = PromoteBody.safeParse({ id: crypto.randomUUID(), videoId: video.id, goal, days, payment });
    if (!parsed.success) {
      setError(parsed.error.issues[0]!.message);
      return;
    }
    if (method === 'coins' && coins !== null && payment.method === 'coins' && payment.coins > coins) {
      setError(`You have ${coins} coins; buy more in your wallet or pay by card.`);
      return;
    }
    setBusy(true);
    try {
      const p = await api.call('promote', { body: parsed.data });
      showToast(p.status === 'active' ? 'Your video is being promoted' : 'Promotion created: it starts when the payment is confirmed');
      await load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const stop = async (id: string) => {
    if (!window.confirm('Stop this promotion? What it has not spent stays in your ad balance.')) return;
    try {
      await api.call('stopPromotion', { params: { id } });
      showToast('Promotion stopped');
      await load();
    } catch (err) {
      showToast(errorMessage(err));
    }
  };

  return (
    <div className="sheet-backdrop" onClick={onClose}>
      <div className="sheet promote-sheet" role="dialog" aria-modal="true" aria-labelledby={ids.title} onClick={(e) => e.stopPropagation()}>
        <header className="sheet-header">
          <h2 id={ids.title}>Promote this video</h2>
          <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
            <CloseIcon />
          </button>
        </header>
        <form className="promote-form" onSubmit={(e) => void submit(e)} noValidate data-testid="promote-form">
          <fieldset className="promote-goals">
            <legend>Goal</legend>
            {GOALS.map((g) => (
              <label key={g.id} className="promote-choice">
                <input type="radio" name="promote-goal" checked={goal === g.id} onChange={() => setGoal(g.id)} data-testid={`promote-goal-${g.id}`} />
                <span>
                  {g.label} <small className="promote-muted">({g.hint})</small>
                </span>
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor={ids.days}>Duration</label>
            <select id={ids.days} value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="promote-days">
              {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                <option key={d} value={d}>
                  {d} day{d === 1 ? '' : 's'}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="promote-goals">
            <legend>Pay with</legend>
            <label className="promote-choice">
              <input
                type="radio"
                name="promote-method"
                checked={method === 'coins'}
                onChange={() => {
                  setMethod('coins');
                  setAmount('1000');
                }}
                data-testid="promote-method-coins"
              />
              <span>Coins {coins !== null && <small className="promote-muted">(you have {coins})</small>}</span>
            </label>
            <label className="promote-choice">
              <input
                type="radio"
                name="promote-method"
                checked={method === 'card'}
                onChange={() => {
                  setMethod('card');
                  setAmount('10');
                }}
                data-testid="promote-method-card"
              />
              <span>Card</span>
            </label>
          </fieldset>
          <div className="field">
            <label htmlFor={ids.amount}>{method === 'coins' ? 'Budget (coins, 1 coin = $0.01)' : 'Budget (USD)'}</label>
            <input
              id={ids.amount}
              inputMode="decimal"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              data-testid="promote-amount"
              aria-describedby={`${ids.amount}-hint`}
            />
            <small id={`${ids.amount}-hint`} className="promote-muted">
              {method === 'coins'
                ? `${PROMOTE_MIN_CENTS}–${PROMOTE_MAX_CENTS.toLocaleString()} coins`
                : `${usd(PROMOTE_CARD_MIN_CENTS)}–${usd(PROMOTE_MAX_CENTS)}`}
              , spread evenly over the days you chose.
            </small>
          </div>
          {method === 'card' && (
            <fieldset className="promote-goals">
              <legend>Sandbox test card</legend>
              {CARDS.map((c) => (
                <label key={c.number} className="promote-choice">
                  <input type="radio" name="promote-card" checked={card === c.number} onChange={() => setCard(c.number)} />
                  <span>{c.label}</span>
                </label>
              ))}
            </fieldset>
          )}
          {error && (
            <p className="promote-error" role="alert" data-testid="promote-error">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="promote-submit">
            {busy ? 'Starting…' : 'Promote'}
          </button>
        </form>
        <h3 className="promote-h3">My promotions</h3>
        {items === null ? (
          <p className="promote-muted">Loading…</p>
        ) : items.length === 0 ? (
          <p className="promote-muted">This video has not been promoted yet.</p>
        ) : (
          <ul className="promote-list" data-testid="promote-list">
            {items.map((p) => (
              <li key={p.id} className="promote-item" data-testid="promote-item" data-status={p.status}>
                <div className="promote-item-head">
                  <strong>{GOALS.find((g) => g.id === p.goal)!.label}</strong>
                  <span className={`promote-status is-${p.status}`}>{STATUS[p.status]}</span>
                </div>
                <div className="promote-muted">
                  {p.days} day{p.days === 1 ? '' : 's'} · {p.payment.method === 'coins' ? `${p.payment.coins} coins` : `${usd(p.payment.amountCents)} by card`}
                  {p.endsAt && ` · until ${new Date(p.endsAt).toLocaleString()}`}
                </div>
                {p.payment.actionUrl && p.status === 'awaiting_payment' && (
                  <a href={p.payment.actionUrl} className="btn btn-small btn-secondary">
                    Confirm the payment
                  </a>
                )}
                <dl className="promote-results" data-testid="promote-results">
                  <div>
                    <dt>Impressions</dt>
                    <dd data-testid="promote-impressions">{p.results.impressions}</dd>
                  </div>
                  <div>
                    <dt>Reach</dt>
                    <dd>{p.results.reach}</dd>
                  </div>
                  <div>
                    <dt>Views</dt>
                    <dd>{p.results.views}</dd>
                  </div>
                  <div>
                    <dt>Taps</dt>
                    <dd>{p.results.clicks}</dd>
                  </div>
                  <div>
                    <dt>Follows</dt>
                    <dd>{p.results.follows}</dd>
                  </div>
                  <div>
                    <dt>Profile visits</dt>
                    <dd>{p.results.profileVisits}</dd>
                  </div>
                  <div>
                    <dt>Spent</dt>
                    <dd>{usd(p.results.spentCents)}</dd>
                  </div>
                </dl>
                {(p.status === 'active' || p.status === 'awaiting_payment') && (
                  <button type="button" className="btn btn-small btn-secondary" onClick={() => void stop(p.id)} data-testid="promote-stop">
                    Stop early
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        <SparkCodes videoId={video.id} />
      </div>
    </div>
  );
}

/** Spark ads: a code that lets a brand run this video as its ad (shown once), and revoking it. */
function SparkCodes({ videoId }: { videoId: string }) {
  const daysId = useId();
  const [days, setDays] = useState(30);
  const [codes, setCodes] = useState<SparkCode[]>([]);
  const [fresh, setFresh] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    try {
      setCodes((await api.call('mySparkCodes')).items.filter((c) => c.videoId === videoId));
    } catch (err) {
      showToast(errorMessage(err));
    }
  }, [videoId]);
  useEffect(() => void load(), [load]);

  const create = async () => {
    setBusy(true);
    try {
      setFresh((await api.call('createSparkCode', { body: { videoId, days } })).code);
      await load();
    } catch (err) {
      showToast(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: string) => {
    if (!window.confirm('Revoke this code? Ads made with it stop at once.')) return;
    try {
      await api.call('revokeSparkCode', { params: { id } });
      await load();
    } catch (err) {
      showToast(errorMessage(err));
    }
  };

  return (
    <section data-testid="spark-codes">
      <h3 className="promote-h3">Spark ads</h3>
      <p className="promote-muted">Let a brand run this video as its ad: give them a code. You can revoke it any time.</p>
      <div className="promote-spark-row">
        <label htmlFor={daysId} className="promote-muted">
          Valid for
        </label>
        <select id={daysId} value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="spark-days">
          {[1, 7, 14, 30].map((d) => (
            <option key={d} value={d}>
              {d} day{d === 1 ? '' : 's'}
            </option>
          ))}
        </select>
        <button type="button" className="btn btn-small btn-secondary" disabled={busy} onClick={() => void create()} data-testid="spark-create">
          Create a code
        </button>
      </div>
      {fresh && (
        <p className="promote-spark-code" data-testid="spark-code">
          <code>{fresh}</code> <span className="promote-muted">— copy it now: it is shown only once.</span>
        </p>
      )}
      <ul className="promote-list">
        {codes.map((c) => (
          <li key={c.id} className="promote-item" data-testid="spark-item" data-status={c.status}>
            <div className="promote-item-head">
              <span>
                SPK-…{c.hint} · {c.ads} ad{c.ads === 1 ? '' : 's'}
              </span>
              <span className={`promote-status is-${c.status}`}>
                {c.status === 'active' ? `until ${new Date(c.expiresAt).toLocaleDateString()}` : c.status}
              </span>
            </div>
            {c.status === 'active' && (
              <button type="button" className="btn btn-small btn-secondary" onClick={() => void revoke(c.id)} data-testid="spark-revoke">
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
