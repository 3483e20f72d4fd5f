import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { AdBody, AdvertiserBody, CampaignBody, SparkAdBody, type ClientResult, type Video } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { BackIcon } from '../components/icons.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { goBack, loginPath, navigate, useLocation } from '../router.ts';
import { AdGroupForm } from './ads-group-form.tsx';
import { adReportPath, adsPath, apiErrors, fmtCents, leftover, zodErrors, type FieldErrors } from './ads-format.ts';
import { AdsBalancePanel } from './ads-balance.tsx';
import { AdsConversionsPanel } from './ads-conversions.tsx';
import { AdsChallengesPanel } from './ads-challenges.tsx';
import { AdsMembersPanel } from './ads-members.tsx';
import { AdsAudiencesPanel } from './ads-audiences.tsx';
import '../styles/discovery.css';
import '../styles/ads.css';

type Advertiser = ClientResult<'myAdvertisers'>['items'][number];
type Campaign = ClientResult<'campaigns'>['items'][number];
type AdGroup = ClientResult<'adGroups'>['items'][number];
type Ad = ClientResult<'ads'>['items'][number];

const OBJECTIVES: Record<Campaign['objective'], string> = {
  reach: 'Reach',
  video_views: 'Video views',
  traffic: 'Traffic',
  community_interaction: 'Community interaction',
  conversions: 'Conversions',
};
const CTA_TEXTS = ['Shop now', 'Learn more', 'Sign up', 'Download', 'Book now', 'Contact us', 'Watch more'];

type Load<T> = { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; message: string };

/** Runs `fn` on mount and whenever `deps` change; `reload()` runs it again. */
function useLoad<T>(fn: () => Promise<T>, deps: readonly unknown[]): [Load<T>, () => void] {
  const [state, setState] = useState<Load<T>>({ status: 'loading' });
  const [n, setN] = useState(0);
  const run = useCallback(fn, deps);
  useEffect(() => {
    let cancelled = false;
    run().then(
      (value) => !cancelled && setState({ status: 'ready', value }),
      (err: unknown) => !cancelled && setState({ status: 'error', message: errorMessage(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [run, n]);
  return [state, () => setN((x) => x + 1)];
}

function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`ads-badge ads-badge-${status}`} data-testid={testId}>
      {status}
    </span>
  );
}

function Crumbs({ items }: { items: { label: string; to?: string }[] }) {
  return (
    <nav className="ads-crumbs" aria-label="Breadcrumb">
      {items.map((c, i) => (
        <span key={i}>
          {i > 0 && ' / '}
          {c.to ? <Link to={c.to}>{c.label}</Link> : <strong>{c.label}</strong>}
        </span>
      ))}
    </nav>
  );
}

function Section({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <section className="dv-section">
      <div className="ads-section-head">
        <h2 className="dv-h2">{title}</h2>
        {action}
      </div>
      {children}
    </section>
  );
}

/** /ads — the ads manager: advertiser accounts → campaigns → ad groups → ads (where you are lives in the query). */
export function AdsPage() {
  const { me, loading } = useMe();
  const { search } = useLocation();
  const advertiser = search.get('advertiser');
  const campaign = search.get('campaign');
  const group = search.get('group');

  useEffect(() => {
    document.title = 'Ads manager · Flick';
  }, []);

  if (loading) return <Spinner />;
  if (!me)
    return (
      <div className="dv-page">
        <CenterState title="Sign in to advertise on Flick">
          <Link to={loginPath('/ads')} className="btn btn-primary">
            Log in
          </Link>
        </CenterState>
      </div>
    );

  let body: ReactNode;
  if (!advertiser) body = <Advertisers minor={me.isMinor} />;
  else if (campaign && group) body = <GroupView advertiserId={advertiser} campaignId={campaign} groupId={group} />;
  else if (campaign) body = <CampaignView advertiserId={advertiser} campaignId={campaign} />;
  else body = <AdvertiserView advertiserId={advertiser} />;

  return (
    <div className="dv-page ads-page" data-testid="ads-page">
      <header className="dv-header">
        <button type="button" className="icon-btn" aria-label="Back" onClick={() => goBack('/discover')}>
          <BackIcon />
        </button>
        <div className="dv-title">
          <h1>Ads manager</h1>
        </div>
      </header>
      {body}
    </div>
  );
}

function Advertisers({ minor }: { minor: boolean }) {
  const [list, reload] = useLoad(() => api.call('myAdvertisers'), []);
  const [name, setName] = useState('');
  const [website, setWebsite] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name, ...(website.trim() ? { website: website.trim() } : {}) };
    const checked = AdvertiserBody.safeParse(body);
    if (!checked.success) return setErrors(zodErrors(checked.error));
    setBusy(true);
    setErrors({});
    try {
      const a = await api.call('createAdvertiser', { body });
      showToast(`Created ${a.name}`);
      reload();
      navigate(adsPath({ advertiser: a.id }));
    } catch (err) {
      setErrors(apiErrors(err, errorMessage));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Section title="Your advertiser accounts">
        {list.status === 'loading' && <Spinner />}
        {list.status === 'error' && <ErrorText message={list.message} />}
        {list.status === 'ready' && list.value.items.length === 0 && <p className="dv-pad dv-muted">No advertiser accounts yet: create one below.</p>}
        {list.status === 'ready' && (
          <ul className="ads-list" data-testid="advertiser-list">
            {list.value.items.map((a: Advertiser) => (
              <li key={a.id} className="ads-row">
                <Link to={adsPath({ advertiser: a.id })} className="ads-row-main" data-testid="advertiser-link">
                  <strong>{a.name}</strong>
                  <span className="dv-muted">
                    {a.role}
                    {a.website ? ` · ${a.website}` : ''}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="New advertiser account">
        {minor ? (
          <p className="dv-pad dv-muted">Advertiser accounts are for adults.</p>
        ) : (
          <form className="dv-form" onSubmit={(e) => void create(e)} noValidate data-testid="advertiser-form">
            <label className="ads-field">
              <span>Business name</span>
              <input value={name} maxLength={120} onChange={(e) => setName(e.target.value)} data-testid="advertiser-name" />
              {errors.name && <small className="ads-field-error">{errors.name}</small>}
            </label>
            <label className="ads-field">
              <span>Website (optional)</span>
              <input type="url" value={website} placeholder="https://" onChange={(e) => setWebsite(e.target.value)} data-testid="advertiser-website" />
              {errors.website && <small className="ads-field-error">{errors.website}</small>}
            </label>
            <ErrorText message={leftover(errors, ['name', 'website'])} />
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="advertiser-create">
              Create advertiser
            </button>
          </form>
        )}
      </Section>
    </>
  );
}

function useAdvertiser(advertiserId: string) {
  const [list] = useLoad(() => api.call('myAdvertisers'), []);
  if (list.status !== 'ready') return list;
  const a = list.value.items.find((x) => x.id === advertiserId);
  return a ? { status: 'ready' as const, value: a } : { status: 'error' as const, message: 'This advertiser account was not found, or you are not a member.' };
}

function AdvertiserView({ advertiserId }: { advertiserId: string }) {
  const adv = useAdvertiser(advertiserId);
  const [campaigns, reload] = useLoad(() => api.call('campaigns', { params: { id: advertiserId } }), [advertiserId]);
  const [name, setName] = useState('');
  const [objective, setObjective] = useState<Campaign['objective']>('video_views');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const canEdit = adv.status === 'ready' && adv.value.role !== 'analyst';
  /** Bumped when a purchase changes the balance (it is reloaded). */
  const [balanceKey, setBalanceKey] = useState(0);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const checked = CampaignBody.safeParse({ name, objective });
    if (!checked.success) return setErrors(zodErrors(checked.error));
    setBusy(true);
    setErrors({});
    try {
      const c = await api.call('createCampaign', { params: { id: advertiserId }, body: checked.data });
      setName('');
      showToast(`Campaign ${c.name} created`);
      navigate(adsPath({ advertiser: advertiserId, campaign: c.id }));
    } catch (err) {
      setErrors(apiErrors(err, errorMessage));
    } finally {
      setBusy(false);
    }
  };
  const act = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      showToast(done);
      reload();
    } catch (err) {
      showToast(errorMessage(err));
    }
  };

  if (adv.status === 'error') return <ErrorText message={adv.message} />;
  return (
    <>
      <Crumbs items={[{ label: 'Accounts', to: adsPath() }, { label: adv.status === 'ready' ? adv.value.name : '…' }]} />
      <AdsBalancePanel key={balanceKey} advertiserId={advertiserId} canEdit={canEdit} />
      <Section title="Campaigns">
        {campaigns.status === 'loading' && <Spinner />}
        {campaigns.status === 'error' && <ErrorText message={campaigns.message} />}
        {campaigns.status === 'ready' && campaigns.value.items.length === 0 && <p className="dv-pad dv-muted">No campaigns yet.</p>}
        {campaigns.status === 'ready' && (
          <ul className="ads-list" data-testid="campaign-list">
            {campaigns.value.items.map((c) => (
              <li key={c.id} className="ads-row" data-testid="campaign-row" data-name={c.name} data-status={c.status}>
                <Link to={adsPath({ advertiser: advertiserId, campaign: c.id })} className="ads-row-main" data-testid="campaign-link">
                  <strong>{c.name}</strong>
                  <span className="dv-muted">
                    {OBJECTIVES[c.objective]} · <StatusBadge status={c.status} testId="campaign-status" />
                  </span>
                </Link>
                <div className="ads-row-actions">
                  <Link to={adReportPath('campaign', c.id, advertiserId)} className="btn btn-secondary dv-btn-small" data-testid="campaign-report">
                    Report
                  </Link>
                  {canEdit && c.status !== 'archived' && (
                    <button
                      type="button"
                      className="btn btn-secondary dv-btn-small"
                      data-testid="campaign-toggle"
                      onClick={() =>
                        void act(
                          () => api.call('updateCampaign', { params: { id: c.id }, body: { status: c.status === 'active' ? 'paused' : 'active' } }),
                          c.status === 'active' ? 'Paused' : 'Resumed',
                        )
                      }
                    >
                      {c.status === 'active' ? 'Pause' : 'Resume'}
                    </button>
                  )}
                  {canEdit && (
                    <button
                      type="button"
                      className="btn btn-secondary dv-btn-small"
                      data-testid="campaign-duplicate"
                      onClick={() =>
                        void act(() => api.call('duplicateCampaign', { params: { id: c.id } }), 'Duplicated (paused; its ads go through review again)')
                      }
                    >
                      Duplicate
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <AdsChallengesPanel advertiserId={advertiserId} canEdit={canEdit} onBought={() => setBalanceKey((k) => k + 1)} />
      <AdsConversionsPanel advertiserId={advertiserId} canEdit={canEdit} />
      <AdsAudiencesPanel advertiserId={advertiserId} canEdit={canEdit} />
      <AdsMembersPanel advertiserId={advertiserId} myRole={adv.status === 'ready' ? adv.value.role : null} />
      {canEdit && (
        <Section title="New campaign">
          <form className="dv-form" onSubmit={(e) => void create(e)} noValidate data-testid="campaign-form">
            <label className="ads-field">
              <span>Campaign name</span>
              <input value={name} maxLength={120} onChange={(e) => setName(e.target.value)} data-testid="campaign-name" />
              {errors.name && <small className="ads-field-error">{errors.name}</small>}
            </label>
            <label className="ads-field">
              <span>Objective</span>
              <select value={objective} onChange={(e) => setObjective(e.target.value as Campaign['objective'])} data-testid="campaign-objective">
                {Object.entries(OBJECTIVES).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
            <ErrorText message={leftover(errors, ['name'])} />
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="campaign-create">
              Create campaign
            </button>
          </form>
        </Section>
      )}
    </>
  );
}

function budgetText(g: AdGroup) {
  return `${fmtCents(g.budget.amountCents)} ${g.budget.period} · ${g.billing} bid ${fmtCents(g.bidCents)} · ${g.pacing}`;
}

function CampaignView({ advertiserId, campaignId }: { advertiserId: string; campaignId: string }) {
  const adv = useAdvertiser(advertiserId);
  const [campaigns] = useLoad(() => api.call('campaigns', { params: { id: advertiserId } }), [advertiserId]);
  const [groups, reload] = useLoad(() => api.call('adGroups', { params: { id: campaignId } }), [campaignId]);
  const [creating, setCreating] = useState(false);
  const canEdit = adv.status === 'ready' && adv.value.role !== 'analyst';
  const campaign = campaigns.status === 'ready' ? campaigns.value.items.find((c) => c.id === campaignId) : undefined;

  const toggle = async (g: AdGroup) => {
    try {
      await api.call('updateAdGroup', { params: { id: g.id }, body: { status: g.status === 'active' ? 'paused' : 'active' } });
      reload();
    } catch (err) {
      showToast(errorMessage(err));
    }
  };

  if (adv.status === 'error') return <ErrorText message={adv.message} />;
  return (
    <>
      <Crumbs
        items={[
          { label: 'Accounts', to: adsPath() },
          { label: adv.status === 'ready' ? adv.value.name : '…', to: adsPath({ advertiser: advertiserId }) },
          { label: campaign?.name ?? '…' },
        ]}
      />
      {campaign && (
        <p className="dv-pad dv-muted" data-testid="campaign-summary">
          {OBJECTIVES[campaign.objective]} · <StatusBadge status={campaign.status} /> ·{' '}
          <Link to={adReportPath('campaign', campaign.id, advertiserId)}>Report</Link>
        </p>
      )}
      <Section
        title="Ad groups"
        action={
          canEdit && !creating ? (
            <button type="button" className="btn btn-primary dv-btn-small" onClick={() => setCreating(true)} data-testid="new-ad-group">
              New ad group
            </button>
          ) : undefined
        }
      >
        {creating && (
          <AdGroupForm
            advertiserId={advertiserId}
            campaignId={campaignId}
            onCancel={() => setCreating(false)}
            onCreated={(g) => {
              showToast(`Ad group ${g.name} created`);
              setCreating(false);
              navigate(adsPath({ advertiser: advertiserId, campaign: campaignId, group: g.id }));
            }}
          />
        )}
        {groups.status === 'loading' && <Spinner />}
        {groups.status === 'error' && <ErrorText message={groups.message} />}
        {groups.status === 'ready' && groups.value.items.length === 0 && !creating && <p className="dv-pad dv-muted">No ad groups yet.</p>}
        {groups.status === 'ready' && (
          <ul className="ads-list" data-testid="ad-group-list">
            {groups.value.items.map((g) => (
              <li key={g.id} className="ads-row" data-testid="ad-group-row" data-name={g.name}>
                <Link to={adsPath({ advertiser: advertiserId, campaign: campaignId, group: g.id })} className="ads-row-main" data-testid="ad-group-link">
                  <strong>{g.name}</strong>
                  <span className="dv-muted">
                    {budgetText(g)} · <StatusBadge status={g.status} testId="ad-group-status" />
                  </span>
                </Link>
                <div className="ads-row-actions">
                  <Link to={adReportPath('ad-group', g.id, advertiserId)} className="btn btn-secondary dv-btn-small">
                    Report
                  </Link>
                  {canEdit && g.status !== 'archived' && (
                    <button type="button" className="btn btn-secondary dv-btn-small" onClick={() => void toggle(g)} data-testid="ad-group-toggle">
                      {g.status === 'active' ? 'Pause' : 'Resume'}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

function targetingText(t: AdGroup['targeting']): string {
  const parts: string[] = [];
  if (t.ageBands?.length) parts.push(`ages ${t.ageBands.join(', ')}`);
  if (t.genders?.length) parts.push(t.genders.join('/'));
  if (t.countries?.length) parts.push(t.countries.join(', '));
  if (t.languages?.length) parts.push(`in ${t.languages.join(', ')}`);
  if (t.devices?.length) parts.push(t.devices.join('/'));
  if (t.interests?.length) parts.push(`interested in ${t.interests.map((x) => `#${x}`).join(' ')}`);
  if (t.engagedHashtags?.length) parts.push(`engaged with ${t.engagedHashtags.map((x) => `#${x}`).join(' ')}`);
  if (t.audiences?.length) parts.push(`audiences ${t.audiences.join(', ')}`);
  return parts.length ? parts.join(' · ') : 'Everyone';
}

function GroupView({ advertiserId, campaignId, groupId }: { advertiserId: string; campaignId: string; groupId: string }) {
  const adv = useAdvertiser(advertiserId);
  const [campaigns] = useLoad(() => api.call('campaigns', { params: { id: advertiserId } }), [advertiserId]);
  const [groups] = useLoad(() => api.call('adGroups', { params: { id: campaignId } }), [campaignId]);
  const [ads, reload] = useLoad(() => api.call('ads', { params: { id: groupId } }), [groupId]);
  const [creating, setCreating] = useState(false);
  const canEdit = adv.status === 'ready' && adv.value.role !== 'analyst';
  const campaign = campaigns.status === 'ready' ? campaigns.value.items.find((c) => c.id === campaignId) : undefined;
  const group = groups.status === 'ready' ? groups.value.items.find((g) => g.id === groupId) : undefined;

  if (adv.status === 'error') return <ErrorText message={adv.message} />;
  return (
    <>
      <Crumbs
        items={[
          { label: 'Accounts', to: adsPath() },
          { label: adv.status === 'ready' ? adv.value.name : '…', to: adsPath({ advertiser: advertiserId }) },
          { label: campaign?.name ?? '…', to: adsPath({ advertiser: advertiserId, campaign: campaignId }) },
          { label: group?.name ?? '…' },
        ]}
      />
      {group && (
        <dl className="ads-facts" data-testid="ad-group-summary">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={group.status} />
          </dd>
          <dt>Schedule</dt>
          <dd>
            {new Date(group.startAt).toLocaleString()} → {group.endAt ? new Date(group.endAt).toLocaleString() : 'no end'}
          </dd>
          <dt>Budget</dt>
          <dd>{budgetText(group)}</dd>
          <dt>Strategy</dt>
          <dd>{group.bidStrategy.replace('_', ' ')}</dd>
          <dt>Targeting</dt>
          <dd data-testid="ad-group-targeting">{targetingText(group.targeting)}</dd>
          <dt>Frequency cap</dt>
          <dd>{group.frequencyCap ? `${group.frequencyCap.max} per ${group.frequencyCap.days} day(s)` : 'none'}</dd>
          {group.restricted && (
            <>
              <dt>Restricted</dt>
              <dd>never shown to minors</dd>
            </>
          )}
          <dt>Report</dt>
          <dd>
            <Link to={adReportPath('ad-group', group.id, advertiserId)}>Ad group report and auction insight</Link>
          </dd>
        </dl>
      )}
      <Section
        title="Ads"
        action={
          canEdit && !creating ? (
            <button type="button" className="btn btn-primary dv-btn-small" onClick={() => setCreating(true)} data-testid="new-ad">
              New ad
            </button>
          ) : undefined
        }
      >
        {creating && (
          <AdForm
            groupId={groupId}
            onCancel={() => setCreating(false)}
            onCreated={(a) => {
              showToast(`Ad ${a.name} created: it is reviewed before it runs`);
              setCreating(false);
              reload();
            }}
          />
        )}
        {ads.status === 'loading' && <Spinner />}
        {ads.status === 'error' && <ErrorText message={ads.message} />}
        {ads.status === 'ready' && ads.value.items.length === 0 && !creating && <p className="dv-pad dv-muted">No ads yet.</p>}
        {ads.status === 'ready' && (
          <ul className="ads-list" data-testid="ad-list">
            {ads.value.items.map((a: Ad) => (
              <li key={a.id} className="ads-row" data-testid="ad-row" data-name={a.name} data-review={a.review.status}>
                <div className="ads-row-main">
                  <strong>
                    {a.name}
                    {a.spark && <span className="ads-badge ads-badge-spark">Spark</span>}
                  </strong>
                  <span className="dv-muted">
                    “{a.cta.text}” → {a.cta.url}
                  </span>
                  <span>
                    Review: <StatusBadge status={a.review.status} testId="ad-review-status" />
                    {a.review.reason && <span className="dv-muted"> — {a.review.reason}</span>}
                  </span>
                </div>
                <div className="ads-row-actions">
                  <Link to={adReportPath('ad', a.id, advertiserId)} className="btn btn-secondary dv-btn-small">
                    Report
                  </Link>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

/** An ad: one of your ready public videos, a call to action and where it goes. */
function AdForm({ groupId, onCreated, onCancel }: { groupId: string; onCreated: (a: Ad) => void; onCancel: () => void }) {
  const [videos] = useLoad(() => api.call('myVideos', { query: { limit: 50 } }), []);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'own' | 'spark'>('own');
  const [videoId, setVideoId] = useState('');
  const [sparkCode, setSparkCode] = useState('');
  const [ctaText, setCtaText] = useState('Learn more');
  const [url, setUrl] = useState('https://');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const usable = videos.status === 'ready' ? videos.value.items.filter((v: Video) => v.status === 'ready' && v.visibility === 'public') : [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const cta = { text: ctaText, url };
    const checked = kind === 'own' ? AdBody.safeParse({ name, videoId, cta }) : SparkAdBody.safeParse({ name, sparkCode, cta });
    if (!checked.success) return setErrors(zodErrors(checked.error));
    setBusy(true);
    setErrors({});
    try {
      onCreated(
        kind === 'own'
          ? await api.call('createAd', { params: { id: groupId }, body: { name, videoId, cta } })
          : await api.call('createSparkAd', { params: { id: groupId }, body: { name, sparkCode: sparkCode.trim(), cta } }),
      );
    } catch (err) {
      setErrors(apiErrors(err, errorMessage));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="dv-form ads-form" onSubmit={(e) => void submit(e)} noValidate data-testid="ad-form">
      <label className="ads-field">
        <span>Ad name</span>
        <input value={name} maxLength={120} onChange={(e) => setName(e.target.value)} data-testid="ad-name" />
        {errors.name && (
          <small className="ads-field-error" data-testid="error-ad-name">
            {errors.name}
          </small>
        )}
      </label>
      <fieldset className="ads-checks">
        <legend>Creative</legend>
        <label className="ads-check">
          <input type="radio" name="ad-kind" checked={kind === 'own'} onChange={() => setKind('own')} data-testid="ad-kind-own" /> One of your videos
        </label>
        <label className="ads-check">
          <input type="radio" name="ad-kind" checked={kind === 'spark'} onChange={() => setKind('spark')} data-testid="ad-kind-spark" /> Spark ad: a
          creator&apos;s video, with the code they gave you
        </label>
      </fieldset>
      {kind === 'spark' && (
        <label className="ads-field">
          <span>Spark code</span>
          <input value={sparkCode} maxLength={100} onChange={(e) => setSparkCode(e.target.value)} data-testid="ad-spark-code" />
          {errors.sparkCode && (
            <small className="ads-field-error" data-testid="error-ad-spark-code">
              {errors.sparkCode}
            </small>
          )}
        </label>
      )}
      <fieldset className={errors.videoId ? 'ads-checks has-error' : 'ads-checks'} hidden={kind !== 'own'}>
        <legend>Video (your ready, public videos)</legend>
        {videos.status === 'loading' && <Spinner />}
        {videos.status === 'error' && <ErrorText message={videos.message} />}
        {videos.status === 'ready' && usable.length === 0 && (
          <p className="dv-muted">
            No ready public video yet. <Link to="/upload">Upload one</Link>, then come back.
          </p>
        )}
        <div className="ads-videos">
          {usable.map((v) => (
            <label key={v.id} className={videoId === v.id ? 'ads-video is-picked' : 'ads-video'}>
              <input type="radio" name="ad-video" value={v.id} checked={videoId === v.id} onChange={() => setVideoId(v.id)} data-testid="ad-video" />
              {v.posterUrl ? <img src={v.posterUrl} alt="" loading="lazy" /> : <span className="ads-video-blank" />}
              <span className="dv-ellipsis">{v.caption || 'Untitled'}</span>
            </label>
          ))}
        </div>
        {errors.videoId && (
          <small className="ads-field-error" data-testid="error-ad-video">
            {errors.videoId}
          </small>
        )}
      </fieldset>
      <div className="dv-form-row">
        <label className="ads-field">
          <span>Call to action</span>
          <input value={ctaText} maxLength={30} list="ads-cta-texts" onChange={(e) => setCtaText(e.target.value)} data-testid="ad-cta-text" />
          <datalist id="ads-cta-texts">
            {CTA_TEXTS.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          {errors['cta.text'] && <small className="ads-field-error">{errors['cta.text']}</small>}
        </label>
        <label className="ads-field">
          <span>Landing page</span>
          <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} data-testid="ad-cta-url" />
          {errors['cta.url'] && (
            <small className="ads-field-error" data-testid="error-ad-url">
              {errors['cta.url']}
            </small>
          )}
        </label>
      </div>
      <ErrorText message={leftover(errors, ['name', 'videoId', 'sparkCode', 'cta.text', 'cta.url'])} />
      <div className="ads-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="ad-create">
          Create ad
        </button>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
