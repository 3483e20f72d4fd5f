import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { LookalikeBody, type ClientResult } from '@flick/contracts';
import { api, errorMessage } from '../api.ts';
import { ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { apiErrors, leftover, zodErrors, type FieldErrors } from './ads-format.ts';

type Audience = ClientResult<'adAudiences'>['items'][number];

const STATUS_TEXT: Record<NonNullable<Audience['status']>, string> = {
  pending: 'computing',
  ready: 'ready',
  seed_too_small: 'seed too small: it needs more people with interests before it can find look-alikes',
};

/** The advertiser's audiences: the engaged-with custom audience and lookalikes built from a seed by interest similarity. */
export function AdsAudiencesPanel({ advertiserId, canEdit }: { advertiserId: string; canEdit: boolean }) {
  const [items, setItems] = useState<Audience[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [seed, setSeed] = useState(`engaged:${advertiserId}`);
  const [minSimilarity, setMinSimilarity] = useState('0.5');
  const [maxSize, setMaxSize] = useState('10000');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [refreshing, setRefreshing] = useState<string | null>(null);

  const load = useCallback(
    () =>
      api.call('adAudiences', { params: { id: advertiserId } }).then(
        (r) => {
          setItems(r.items);
          setLoadError(null);
        },
        (err: unknown) => setLoadError(errorMessage(err)),
      ),
    [advertiserId],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const num = (v: string) => (v.trim() === '' ? Number.NaN : Number(v));
    const body = { name, seed, minSimilarity: num(minSimilarity), maxSize: num(maxSize) };
    const checked = LookalikeBody.safeParse(body);
    if (!checked.success) return setErrors(zodErrors(checked.error));
    setBusy(true);
    setErrors({});
    try {
      const a = await api.call('createLookalike', { params: { id: advertiserId }, body: checked.data });
      showToast(`${a.name}: ${a.size.toLocaleString()} people`);
      setName('');
      await load();
    } catch (err) {
      setErrors(apiErrors(err, errorMessage));
    } finally {
      setBusy(false);
    }
  };

  const refresh = async (a: Audience) => {
    if (!a.id) return;
    setRefreshing(a.id);
    try {
      const r = await api.call('refreshLookalike', { params: { id: a.id } });
      showToast(`${r.name} recomputed: ${r.size.toLocaleString()} people`);
      await load();
    } catch (err) {
      showToast(errorMessage(err));
    } finally {
      setRefreshing(null);
    }
  };

  return (
    <section className="dv-section" data-testid="ads-audiences">
      <h2 className="dv-h2">Audiences</h2>
      {loadError && <ErrorText message={loadError} />}
      {!items && !loadError && <Spinner />}
      {items && (
        <ul className="ads-list" data-testid="audience-list">
          {items.map((a) => (
            <li key={a.key} className="ads-row" data-testid="audience-row" data-key={a.key} data-status={a.status ?? 'ready'}>
              <div className="ads-row-main">
                <strong>{a.name}</strong>
                <span className="dv-muted">
                  <span data-testid="audience-size">{a.size.toLocaleString()}</span> people ·{' '}
                  {a.kind === 'engaged'
                    ? 'people who engaged with your videos'
                    : `lookalike of ${items.find((x) => x.key === a.seed)?.name ?? a.seed} (${a.seedSize ?? 0} in the seed) · similarity ≥ ${a.minSimilarity} · at most ${a.maxSize?.toLocaleString()}`}
                </span>
                {a.status && (
                  <span>
                    <span className={`ads-badge ads-badge-${a.status}`} data-testid="audience-status">
                      {a.status}
                    </span>{' '}
                    <span className="dv-muted">
                      {a.status !== 'ready' && STATUS_TEXT[a.status]}
                      {a.computedAt && ` · computed ${new Date(a.computedAt).toLocaleString()}`}
                    </span>
                  </span>
                )}
              </div>
              {a.kind === 'lookalike' && canEdit && (
                <div className="ads-row-actions">
                  <button
                    type="button"
                    className="btn btn-secondary dv-btn-small"
                    disabled={refreshing === a.id}
                    onClick={() => void refresh(a)}
                    data-testid="audience-refresh"
                  >
                    {refreshing === a.id ? 'Refreshing…' : 'Refresh'}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && items && (
        <form className="dv-form ads-member-form" onSubmit={(e) => void create(e)} noValidate data-testid="lookalike-form">
          <h3 className="ads-h3">New lookalike audience</h3>
          <label className="ads-field">
            <span>Name</span>
            <input value={name} maxLength={120} onChange={(e) => setName(e.target.value)} data-testid="lookalike-name" />
            {errors.name && <small className="ads-field-error">{errors.name}</small>}
          </label>
          <label className="ads-field">
            <span>Seed audience</span>
            <select value={seed} onChange={(e) => setSeed(e.target.value)} data-testid="lookalike-seed">
              {items.map((a) => (
                <option key={a.key} value={a.key}>
                  {a.name} ({a.size.toLocaleString()})
                </option>
              ))}
            </select>
            {errors.seed && <small className="ads-field-error">{errors.seed}</small>}
          </label>
          <div className="dv-form-row">
            <label className="ads-field">
              <span>Minimum similarity (0–0.99)</span>
              <input
                type="number"
                step="0.05"
                min="0"
                max="0.99"
                value={minSimilarity}
                onChange={(e) => setMinSimilarity(e.target.value)}
                data-testid="lookalike-min-similarity"
              />
              {errors.minSimilarity && (
                <small className="ads-field-error" data-testid="error-lookalike-min-similarity">
                  {errors.minSimilarity}
                </small>
              )}
            </label>
            <label className="ads-field">
              <span>Maximum size (people)</span>
              <input type="number" step="1" min="10" value={maxSize} onChange={(e) => setMaxSize(e.target.value)} data-testid="lookalike-max-size" />
              {errors.maxSize && (
                <small className="ads-field-error" data-testid="error-lookalike-max-size">
                  {errors.maxSize}
                </small>
              )}
            </label>
          </div>
          <ErrorText message={leftover(errors, ['name', 'seed', 'minSimilarity', 'maxSize'])} />
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="lookalike-create">
            Create lookalike
          </button>
        </form>
      )}
    </section>
  );
}
