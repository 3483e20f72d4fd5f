import { useCallback, useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import type { Gift, Video } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { formatCount } from '../format.ts';
import { formatAmount } from '../wallet-format.ts';
import { Link } from './link.tsx';
import { promptLogin } from './login-prompt.tsx';
import { Sheet } from './sheet.tsx';
import { ErrorText, Spinner } from './states.tsx';
import '../styles/wallet.css';

let catalogue: Promise<Gift[]> | null = null;
const loadCatalogue = () =>
  (catalogue ??= api.call('giftCatalogue').then(
    (c) => c.gifts,
    (err: unknown) => {
      catalogue = null; // try again next time
      throw err;
    },
  ));

/** The gift's animation over the video, then gone. */
function GiftBurst({ gift, onDone }: { gift: Gift; onDone: () => void }) {
  useEffect(() => {
    const t = setTimeout(onDone, 2200);
    return () => clearTimeout(t);
  }, [onDone]);
  return createPortal(
    <div className={`gift-burst gift-anim-${gift.animation}`} data-testid="gift-animation" data-gift={gift.id} aria-live="polite">
      <img src={gift.artwork} alt="" />
      <span className="gift-burst-label">{gift.name}!</span>
    </div>,
    document.body,
  );
}

function GiftSheet({ video, onClose, onSent }: { video: Video; onClose: () => void; onSent: (g: Gift) => void }) {
  const [gifts, setGifts] = useState<Gift[] | null>(null);
  const [coins, setCoins] = useState<number | null>(null);
  const [blocked, setBlocked] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    Promise.all([loadCatalogue(), api.call('wallet')])
      .then(([g, w]) => {
        if (cancelled) return;
        setGifts(g);
        setCoins(w.coins);
        if (!w.canGift) setBlocked(w.restrictions[0] ?? 'Gifts are not available on your account.');
      })
      .catch((err: unknown) => !cancelled && setError(errorMessage(err)));
    return () => {
      cancelled = true;
    };
  }, []);
  const send = async (g: Gift) => {
    setSending(g.id);
    setError(null);
    try {
      const r = await api.call('sendGift', { params: { id: video.id }, body: { id: crypto.randomUUID(), giftId: g.id } });
      setCoins(r.walletCoins);
      onSent(g);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSending(null);
    }
  };
  return (
    <Sheet title="Send a gift" onClose={onClose} testId="gift-sheet">
      <div className="gift-sheet-balance">
        <span>
          <img src="/gifts/coin.svg" alt="" className="coin-icon" /> <b data-testid="gift-sheet-coins">{coins === null ? '…' : formatAmount(coins)}</b> coins
        </span>
        <Link to="/wallet" className="btn btn-secondary btn-small" onClick={onClose} data-testid="gift-sheet-topup">
          Get coins
        </Link>
      </div>
      {blocked && <p className="wallet-notice">{blocked}</p>}
      {!gifts && !error && <Spinner />}
      {gifts && (
        <ul className="gift-grid">
          {gifts.map((g) => (
            <li key={g.id}>
              <button
                type="button"
                className="gift-tile"
                data-testid={`gift-${g.id}`}
                disabled={!!blocked || sending !== null || (coins !== null && coins < g.coins)}
                onClick={() => void send(g)}
              >
                <img src={g.artwork} alt="" />
                <span className="gift-name">{g.name}</span>
                <span className="gift-price">
                  <img src="/gifts/coin.svg" alt="" className="coin-icon" /> {formatAmount(g.coins)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorText message={error} />
      <p className="muted small gift-sheet-foot">The creator receives half of each gift's coins as diamonds.</p>
    </Sheet>
  );
}

/** The rail's gift button with the video's gift counter; opens the gift sheet and plays the gift on the video. */
export function GiftButton({ video, enabled }: { video: Video; enabled: boolean }) {
  const { me } = useMe();
  const [count, setCount] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const [burst, setBurst] = useState<Gift | null>(null);
  useEffect(() => {
    if (!enabled || count !== null) return;
    let cancelled = false;
    api.call('videoGifts', { params: { id: video.id } }).then(
      (g) => !cancelled && setCount(g.gifts),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [enabled, video.id, count]);
  const done = useCallback(() => setBurst(null), []);
  if (me && me.id === video.author.id) {
    return (
      <div className="rail-item" title="Gifts on this video" data-testid="gift-counter">
        <span className="rail-icon gift-rail-icon">
          <img src="/gifts/rose.svg" alt="" />
        </span>
        <span className="rail-label">{formatCount(count ?? 0)}</span>
      </div>
    );
  }
  return (
    <>
      <button
        type="button"
        className="rail-item"
        data-testid="gift-button"
        aria-label="Send a gift"
        aria-haspopup="dialog"
        onClick={(e) => {
          e.stopPropagation();
          if (!me) return promptLogin('Log in to send gifts.');
          setOpen(true);
        }}
      >
        <span className="rail-icon gift-rail-icon">
          <img src="/gifts/rose.svg" alt="" />
        </span>
        <span className="rail-label" data-testid="gift-count">
          {formatCount(count ?? 0)}
        </span>
      </button>
      {open && (
        <GiftSheet
          video={video}
          onClose={() => setOpen(false)}
          onSent={(g) => {
            setBurst(g);
            setCount((c) => (c ?? 0) + 1);
          }}
        />
      )}
      {burst && <GiftBurst gift={burst} onDone={done} />}
    </>
  );
}
