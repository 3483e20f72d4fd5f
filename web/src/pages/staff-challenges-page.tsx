import { useEffect, useState, type FormEvent } from 'react';
import type { Challenge } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { BackIcon } from '../components/icons.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { challengePath, goBack } from '../router.ts';
import '../styles/discovery.css';

const isStaff = (roles: readonly string[]) => roles.includes('admin') || roles.includes('moderator');
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** /staff/challenges — staff create challenges, feature them and upload banners. */
export function StaffChallengesPage() {
  const { me, loading } = useMe();
  const [items, setItems] = useState<Challenge[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState(() => ({
    slug: '',
    hashtag: '',
    title: '',
    description: '',
    rules: '',
    startsAt: localInput(new Date()),
    endsAt: localInput(new Date(Date.now() + 7 * 24 * 3600 * 1000)),
    featured: false,
  }));

  const reload = () =>
    api.call('challenges').then(
      (r) => setItems(r.items),
      (err: unknown) => setError(errorMessage(err)),
    );
  useEffect(() => {
    document.title = 'Challenges · Staff · Flick';
    void reload();
  }, []);

  if (loading) return <Spinner />;
  if (!me || !isStaff(me.roles))
    return (
      <div className="dv-page">
        <CenterState title="Staff only" tone="error">
          <p>Only admins and moderators manage challenges.</p>
        </CenterState>
      </div>
    );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const c = await api.call('createChallenge', {
        body: { ...form, startsAt: new Date(form.startsAt).toISOString(), endsAt: new Date(form.endsAt).toISOString() },
      });
      showToast(`Created ${c.title}`);
      setForm((f) => ({ ...f, slug: '', hashtag: '', title: '', description: '', rules: '' }));
      await reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const feature = async (c: Challenge) => {
    try {
      await api.call('updateChallenge', { params: { slug: c.slug }, body: { featured: !c.featured } });
      await reload();
    } catch (err) {
      showToast(errorMessage(err));
    }
  };
  const banner = async (c: Challenge, file: File | undefined) => {
    if (!file) return;
    const fd = new FormData();
    fd.set('file', file);
    try {
      await api.call('uploadChallengeBanner', { params: { slug: c.slug }, form: fd });
      showToast('Banner uploaded');
      await reload();
    } catch (err) {
      showToast(errorMessage(err));
    }
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <div className="dv-page" data-testid="staff-challenges-page">
      <header className="dv-header">
        <button type="button" className="icon-btn" aria-label="Back" onClick={() => goBack('/discover')}>
          <BackIcon />
        </button>
        <div className="dv-title">
          <h1>Challenges</h1>
        </div>
      </header>
      <form className="dv-form" onSubmit={(e) => void submit(e)} data-testid="challenge-form">
        <label>
          Title
          <input required maxLength={100} value={form.title} onChange={set('title')} data-testid="challenge-title-input" />
        </label>
        <label>
          Slug (in the URL)
          <input
            required
            pattern="[a-z0-9]+(-[a-z0-9]+)*"
            minLength={3}
            maxLength={60}
            value={form.slug}
            onChange={set('slug')}
            data-testid="challenge-slug-input"
          />
        </label>
        <label>
          Hashtag
          <input required maxLength={65} value={form.hashtag} onChange={set('hashtag')} placeholder="#dancechallenge" data-testid="challenge-hashtag-input" />
        </label>
        <label>
          Description
          <textarea maxLength={2000} rows={3} value={form.description} onChange={set('description')} />
        </label>
        <label>
          Rules
          <textarea maxLength={2000} rows={3} value={form.rules} onChange={set('rules')} />
        </label>
        <div className="dv-form-row">
          <label>
            Starts
            <input type="datetime-local" required value={form.startsAt} onChange={set('startsAt')} />
          </label>
          <label>
            Ends
            <input type="datetime-local" required value={form.endsAt} onChange={set('endsAt')} />
          </label>
        </div>
        <label className="dv-check">
          <input type="checkbox" checked={form.featured} onChange={(e) => setForm((f) => ({ ...f, featured: e.target.checked }))} /> Featured
        </label>
        <ErrorText message={error} />
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="challenge-create">
          Create challenge
        </button>
      </form>
      <section className="dv-section">
        <h2 className="dv-h2">Current</h2>
        {!items && <Spinner />}
        <ul className="dv-people">
          {items?.map((c) => (
            <li key={c.id} className="dv-person-row">
              <Link to={challengePath(c.slug)} className="dv-person">
                <span className="dv-person-names">
                  <strong>{c.title}</strong>
                  <span className="dv-muted">
                    #{c.hashtag} · {c.status}
                    {c.featured ? ' · featured' : ''}
                  </span>
                </span>
              </Link>
              <label className="btn btn-secondary dv-btn-small">
                Banner
                <input type="file" accept="image/*" hidden onChange={(e) => void banner(c, e.target.files?.[0])} />
              </label>
              <button type="button" className="btn btn-secondary dv-btn-small" onClick={() => void feature(c)}>
                {c.featured ? 'Unfeature' : 'Feature'}
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
