import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { SPONSORED_CHALLENGE_CENTS_PER_DAY, SponsoredChallengeBody, type ClientResult } from '@flick/contracts';
import { api, errorMessage } from '../api.ts';
import { Link } from '../components/link.tsx';
import { ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { formatCount } from '../format.ts';
import { challengePath, videoPath } from '../router.ts';
import { apiErrors, fmtCents, leftover, zodErrors, type FieldErrors } from './ads-format.ts';

type Challenge = ClientResult<'sponsoredChallenges'>['items'][number];
type Report = ClientResult<'sponsoredChallengeReport'>;

const DAY = 86_400_000;
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const iso = (s: string) => {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
};

function ChallengeReport({ id }: { id: string }) {
  const [r, setR] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.call('sponsoredChallengeReport', { params: { id } }).then(setR, (err: unknown) => setError(errorMessage(err)));
  }, [id]);
  if (error) return <ErrorText message={error} />;
  if (!r) return <Spinner />;
  return (
    <div className="ads-challenge-report" data-testid="challenge-report">
      <div className="dv-stats">
        {(
          [
            ['Videos', r.videos],
            ['Creators', r.creators],
            ['Views', r.views],
            ['Likes', r.likes],
            ['Shares', r.shares],
            ['Sound uses', r.soundUses],
          ] as const
        ).map(([label, v]) => (
          <div key={label} className="dv-stat">
            <span className="dv-stat-value">{formatCount(v)}</span>
            <span className="dv-stat-label">{label}</span>
          </div>
        ))}
      </div>
      {r.top.length > 0 && (
        <ol className="ads-top">
          {r.top.map((v) => (
            <li key={v.videoId}>
              <Link to={videoPath(v.videoId)}>@{v.creator}</Link> · {formatCount(v.views)} views · {formatCount(v.likes)} likes
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** Sponsored hashtag challenges: bought for a flat fee per day from the balance, with a report of who took part. */
export function AdsChallengesPanel({ advertiserId, canEdit, onBought }: { advertiserId: string; canEdit: boolean; onBought?: () => void }) {
  const [items, setItems] = useState<Challenge[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [f, setF] = useState(() => ({
    title: '',
    slug: '',
    hashtag: '',
    description: '',
    rules: '',
    startsAt: localInput(new Date(Date.now() + 3600_000)),
    endsAt: localInput(new Date(Date.now() + 7 * DAY + 3600_000)),
  }));
  const load = useCallback(
    () =>
      api.call('sponsoredChallenges', { params: { id: advertiserId } }).then(
        (r) => setItems(r.items),
        (err: unknown) => setError(errorMessage(err)),
      ),
    [advertiserId],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const days = Math.max(0, Math.ceil((Date.parse(f.endsAt) - Date.parse(f.startsAt)) / DAY));
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((s) => ({ ...s, [k]: e.target.value }));

  const buy = async (e: FormEvent) => {
    e.preventDefault();
    const body = { ...f, id: crypto.randomUUID(), startsAt: iso(f.startsAt), endsAt: iso(f.endsAt) };
    const checked = SponsoredChallengeBody.safeParse(body);
    if (!checked.success) return setErrors(zodErrors(checked.error));
    setBusy(true);
    setErrors({});
    try {
      const c = await api.call('buySponsoredChallenge', { params: { id: advertiserId }, body: checked.data });
      showToast(`#${c.hashtag} bought for ${fmtCents(c.feeCents)}`);
      setCreating(false);
      await load();
      onBought?.();
    } catch (err) {
      setErrors(apiErrors(err, errorMessage));
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (k: string) =>
    errors[k] ? (
      <small className="ads-field-error" data-testid={`error-challenge-${k}`}>
        {errors[k]}
      </small>
    ) : null;

  return (
    <section className="dv-section" data-testid="ads-challenges">
      <div className="ads-section-head">
        <h2 className="dv-h2">Sponsored challenges</h2>
        {canEdit && !creating && (
          <button type="button" className="btn btn-secondary dv-btn-small" onClick={() => setCreating(true)} data-testid="new-challenge">
            New challenge
          </button>
        )}
      </div>
      {error && <ErrorText message={error} />}
      {creating && (
        <form className="dv-form ads-form" onSubmit={(e) => void buy(e)} noValidate data-testid="challenge-buy-form">
          <p className="dv-muted">
            A hashtag challenge on Discover with a Sponsored label: {fmtCents(SPONSORED_CHALLENGE_CENTS_PER_DAY)} a day, paid from your balance.
          </p>
          <label className="ads-field">
            <span>Title</span>
            <input value={f.title} maxLength={100} onChange={set('title')} data-testid="challenge-title" />
            {fieldError('title')}
          </label>
          <div className="dv-form-row">
            <label className="ads-field">
              <span>Hashtag</span>
              <input value={f.hashtag} placeholder="#crunchychallenge" onChange={set('hashtag')} data-testid="challenge-hashtag" />
              {fieldError('hashtag')}
            </label>
            <label className="ads-field">
              <span>Address (slug)</span>
              <input value={f.slug} placeholder="crunchy-challenge" onChange={set('slug')} data-testid="challenge-slug" />
              {fieldError('slug')}
            </label>
          </div>
          <label className="ads-field">
            <span>Description</span>
            <textarea rows={2} maxLength={2000} value={f.description} onChange={set('description')} />
            {fieldError('description')}
          </label>
          <label className="ads-field">
            <span>Rules</span>
            <textarea rows={2} maxLength={2000} value={f.rules} onChange={set('rules')} />
            {fieldError('rules')}
          </label>
          <div className="dv-form-row">
            <label className="ads-field">
              <span>Starts</span>
              <input type="datetime-local" value={f.startsAt} onChange={set('startsAt')} data-testid="challenge-starts" />
              {fieldError('startsAt')}
            </label>
            <label className="ads-field">
              <span>Ends</span>
              <input type="datetime-local" value={f.endsAt} onChange={set('endsAt')} data-testid="challenge-ends" />
              {fieldError('endsAt')}
            </label>
          </div>
          <p className="dv-muted" data-testid="challenge-fee">
            {days} {days === 1 ? 'day' : 'days'} · {fmtCents(days * SPONSORED_CHALLENGE_CENTS_PER_DAY)}
          </p>
          <ErrorText message={leftover(errors, ['title', 'hashtag', 'slug', 'description', 'rules', 'startsAt', 'endsAt'])} />
          <div className="ads-actions">
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="challenge-buy">
              Buy challenge
            </button>
            <button type="button" className="btn btn-secondary" onClick={() => setCreating(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {!items && !error && <Spinner />}
      {items && items.length === 0 && !creating && <p className="dv-pad dv-muted">None yet.</p>}
      {items && items.length > 0 && (
        <ul className="ads-list" data-testid="challenge-list">
          {items.map((c) => (
            <li key={c.id} className="ads-row" data-testid="challenge-row" data-hashtag={c.hashtag}>
              <Link to={challengePath(c.slug)} className="ads-row-main">
                <strong>
                  #{c.hashtag} · {c.title}
                </strong>
                <span className="dv-muted">
                  {new Date(c.startsAt).toLocaleDateString()} – {new Date(c.endsAt).toLocaleDateString()} · {fmtCents(c.feeCents)}
                </span>
              </Link>
              <div className="ads-row-actions">
                <button
                  type="button"
                  className="btn btn-secondary dv-btn-small"
                  onClick={() => setOpen(open === c.id ? null : c.id)}
                  aria-expanded={open === c.id}
                  data-testid="challenge-report-toggle"
                >
                  Report
                </button>
              </div>
              {open === c.id && <ChallengeReport id={c.id} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
