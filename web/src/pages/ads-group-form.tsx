import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { AD_AGE_BANDS, AdGroupBody, type ClientResult } from '@flick/contracts';
import { api, errorMessage } from '../api.ts';
import { ErrorText, Spinner } from '../components/states.tsx';
import { apiErrors, leftover, zodErrors, type FieldErrors } from './ads-format.ts';

type AdGroup = ClientResult<'createAdGroup'>;
type Audience = ClientResult<'adAudiences'>['items'][number];
type Billing = AdGroup['billing'];
const GENDERS = ['female', 'male', 'other'] as const;
const DEVICES = ['ios', 'android', 'desktop'] as const;
const BID_UNIT: Record<Billing, string> = {
  CPM: 'per 1,000 impressions',
  CPC: 'per click',
  CPV: 'per 6-second view',
  OCPM: 'per conversion (optimised, billed per impression)',
};

const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const words = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter(Boolean);
const cents = (dollars: string) => (dollars.trim() === '' ? Number.NaN : Math.round(Number(dollars) * 100));

export type GroupFormState = {
  name: string;
  startAt: string;
  endAt: string;
  period: 'daily' | 'lifetime';
  amount: string;
  pacing: 'smooth' | 'fast';
  bidStrategy: 'max_delivery' | 'cost_cap' | 'bid_cap';
  billing: Billing;
  bid: string;
  ageBands: string[];
  genders: string[];
  countries: string;
  languages: string;
  devices: string[];
  interests: string;
  engagedHashtags: string;
  /** Audience keys (engaged:…, lookalike:…) picked from the advertiser's audiences. */
  audiences: string[];
  capOn: boolean;
  capMax: string;
  capDays: string;
  restricted: boolean;
};

export const emptyGroupForm = (): GroupFormState => ({
  name: '',
  startAt: localInput(new Date()),
  endAt: '',
  period: 'daily',
  amount: '50',
  pacing: 'smooth',
  bidStrategy: 'max_delivery',
  billing: 'CPM',
  bid: '5',
  ageBands: [],
  genders: [],
  countries: '',
  languages: '',
  devices: [],
  interests: '',
  engagedHashtags: '',
  audiences: [],
  capOn: false,
  capMax: '3',
  capDays: '1',
  restricted: false,
});

/** The request body the API takes (and the browser checks first with the same schema). */
export function groupBody(f: GroupFormState): unknown {
  const list = (xs: string[]) => (xs.length ? xs : undefined);
  const date = (s: string) => {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? s : d.toISOString();
  };
  return {
    name: f.name,
    startAt: date(f.startAt),
    endAt: f.endAt ? date(f.endAt) : null,
    budget: { period: f.period, amountCents: cents(f.amount) },
    pacing: f.pacing,
    bidStrategy: f.bidStrategy,
    billing: f.billing,
    bidCents: cents(f.bid),
    targeting: {
      ageBands: list(f.ageBands),
      genders: list(f.genders),
      countries: list(words(f.countries).map((c) => c.toUpperCase())),
      languages: list(words(f.languages).map((c) => c.toLowerCase())),
      devices: list(f.devices),
      interests: list(words(f.interests)),
      engagedHashtags: list(words(f.engagedHashtags)),
      audiences: list(f.audiences),
    },
    frequencyCap: f.capOn ? { max: Number(f.capMax), days: Number(f.capDays) } : null,
    restricted: f.restricted,
  };
}

const SHOWN = [
  'name',
  'startAt',
  'endAt',
  'budget.period',
  'budget.amountCents',
  'budget',
  'pacing',
  'bidStrategy',
  'billing',
  'bidCents',
  'targeting.ageBands',
  'targeting.genders',
  'targeting.countries',
  'targeting.languages',
  'targeting.devices',
  'targeting.interests',
  'targeting.engagedHashtags',
  'targeting.audiences',
  'frequencyCap',
  'frequencyCap.max',
  'frequencyCap.days',
  'restricted',
];

function Field({ label, error, testId, children, hint }: { label: string; error?: string; testId: string; children: ReactNode; hint?: string }) {
  return (
    <label className={error ? 'ads-field has-error' : 'ads-field'} data-testid={`field-${testId}`}>
      <span>{label}</span>
      {children}
      {hint && <small className="dv-muted">{hint}</small>}
      {error && (
        <small className="ads-field-error" role="alert" data-testid={`error-${testId}`}>
          {error}
        </small>
      )}
    </label>
  );
}

function Checks({
  options,
  value,
  onChange,
  testId,
  label,
  error,
}: {
  options: readonly string[];
  value: string[];
  onChange: (v: string[]) => void;
  testId: string;
  label: string;
  error?: string;
}) {
  return (
    <fieldset className={error ? 'ads-checks has-error' : 'ads-checks'} data-testid={`field-${testId}`}>
      <legend>{label}</legend>
      {options.map((o) => (
        <label key={o} className="ads-check">
          <input
            type="checkbox"
            checked={value.includes(o)}
            data-testid={`${testId}-${o}`}
            onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((x) => x !== o))}
          />
          {o}
        </label>
      ))}
      {error && (
        <small className="ads-field-error" role="alert" data-testid={`error-${testId}`}>
          {error}
        </small>
      )}
    </fieldset>
  );
}

/** The advertiser's audiences (its engaged-with custom audience and its lookalikes) to target, with their sizes. */
function AudiencePicker({ advertiserId, value, onChange, error }: { advertiserId: string; value: string[]; onChange: (v: string[]) => void; error?: string }) {
  const [state, setState] = useState<{ items: Audience[] } | { error: string } | null>(null);
  useEffect(() => {
    let cancelled = false;
    api.call('adAudiences', { params: { id: advertiserId } }).then(
      (r) => !cancelled && setState({ items: r.items }),
      (err: unknown) => !cancelled && setState({ error: errorMessage(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [advertiserId]);
  return (
    <fieldset className={error ? 'ads-checks has-error' : 'ads-checks'} data-testid="field-group-audiences">
      <legend>Audiences (only people in any picked audience)</legend>
      {!state && <Spinner />}
      {state && 'error' in state && <ErrorText message={state.error} />}
      {state &&
        'items' in state &&
        state.items.map((a) => (
          <label key={a.key} className="ads-check">
            <input
              type="checkbox"
              checked={value.includes(a.key)}
              data-testid="group-audience"
              data-key={a.key}
              onChange={(ev) => onChange(ev.target.checked ? [...value, a.key] : value.filter((x) => x !== a.key))}
            />
            {a.name}{' '}
            <span className="dv-muted">
              ({a.kind === 'lookalike' ? 'lookalike' : 'engaged with your videos'} · {a.size.toLocaleString()} people
              {a.status && a.status !== 'ready' ? ` · ${a.status.replace(/_/g, ' ')}` : ''})
            </span>
          </label>
        ))}
      {error && (
        <small className="ads-field-error" role="alert" data-testid="error-group-audiences">
          {error}
        </small>
      )}
    </fieldset>
  );
}

/** Every field of an ad group: schedule, budget, pacing, bidding, targeting, frequency cap, restricted category. */
export function AdGroupForm({
  advertiserId,
  campaignId,
  onCreated,
  onCancel,
}: {
  advertiserId: string;
  campaignId: string;
  onCreated: (g: AdGroup) => void;
  onCancel: () => void;
}) {
  const [f, setF] = useState<GroupFormState>(emptyGroupForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const set =
    <K extends keyof GroupFormState>(k: K) =>
    (v: GroupFormState[K]) =>
      setF((s) => ({ ...s, [k]: v }));
  const text = (k: 'name' | 'startAt' | 'endAt' | 'amount' | 'bid' | 'countries' | 'languages' | 'interests' | 'engagedHashtags' | 'capMax' | 'capDays') => ({
    value: f[k],
    onChange: (e: { target: { value: string } }) => set(k)(e.target.value),
  });
  const e = (k: string) => errors[k];

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const body = groupBody(f);
    const checked = AdGroupBody.safeParse(body);
    if (!checked.success) {
      setErrors(zodErrors(checked.error));
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      onCreated(await api.call('createAdGroup', { params: { id: campaignId }, body: checked.data }));
    } catch (err) {
      setErrors(apiErrors(err, errorMessage));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="dv-form ads-form" onSubmit={(ev) => void submit(ev)} noValidate data-testid="ad-group-form">
      <Field label="Ad group name" error={e('name')} testId="group-name">
        <input maxLength={120} {...text('name')} data-testid="group-name" />
      </Field>
      <div className="dv-form-row">
        <Field label="Starts" error={e('startAt')} testId="group-start">
          <input type="datetime-local" {...text('startAt')} data-testid="group-start" />
        </Field>
        <Field label="Ends (optional for daily budgets)" error={e('endAt')} testId="group-end">
          <input type="datetime-local" {...text('endAt')} data-testid="group-end" />
        </Field>
      </div>
      <div className="dv-form-row">
        <Field label="Budget" error={e('budget.period')} testId="group-period">
          <select value={f.period} onChange={(ev) => set('period')(ev.target.value as GroupFormState['period'])} data-testid="group-period">
            <option value="daily">Daily</option>
            <option value="lifetime">Lifetime</option>
          </select>
        </Field>
        <Field label="Amount (USD)" error={e('budget.amountCents') ?? e('budget')} testId="group-budget">
          <input type="number" inputMode="decimal" min="5" step="0.01" {...text('amount')} data-testid="group-budget" />
        </Field>
      </div>
      <div className="dv-form-row">
        <Field label="Pacing" error={e('pacing')} testId="group-pacing" hint={f.pacing === 'smooth' ? 'Spread over the day' : 'Spend as fast as it wins'}>
          <select value={f.pacing} onChange={(ev) => set('pacing')(ev.target.value as GroupFormState['pacing'])} data-testid="group-pacing">
            <option value="smooth">Smooth</option>
            <option value="fast">Fast</option>
          </select>
        </Field>
        <Field label="Bid strategy" error={e('bidStrategy')} testId="group-strategy">
          <select value={f.bidStrategy} onChange={(ev) => set('bidStrategy')(ev.target.value as GroupFormState['bidStrategy'])} data-testid="group-strategy">
            <option value="max_delivery">Maximum delivery</option>
            <option value="cost_cap">Cost cap</option>
            <option value="bid_cap">Bid cap</option>
          </select>
        </Field>
      </div>
      <div className="dv-form-row">
        <Field label="Billing event" error={e('billing')} testId="group-billing">
          <select value={f.billing} onChange={(ev) => set('billing')(ev.target.value as Billing)} data-testid="group-billing">
            <option value="CPM">CPM (impressions)</option>
            <option value="CPC">CPC (clicks)</option>
            <option value="CPV">CPV (6-second views)</option>
            <option value="OCPM">oCPM (conversions)</option>
          </select>
        </Field>
        <Field label={`Bid (USD ${BID_UNIT[f.billing]})`} error={e('bidCents')} testId="group-bid">
          <input type="number" inputMode="decimal" min="0.01" step="0.01" {...text('bid')} data-testid="group-bid" />
        </Field>
      </div>

      <h3 className="ads-h3">Targeting</h3>
      <p className="dv-muted">Leave a dimension empty to reach everyone.</p>
      <Checks label="Age" options={AD_AGE_BANDS} value={f.ageBands} onChange={set('ageBands')} testId="age" error={e('targeting.ageBands')} />
      <Checks label="Gender" options={GENDERS} value={f.genders} onChange={set('genders')} testId="gender" error={e('targeting.genders')} />
      <Checks label="Device" options={DEVICES} value={f.devices} onChange={set('devices')} testId="device" error={e('targeting.devices')} />
      <div className="dv-form-row">
        <Field label="Countries (ISO codes)" error={e('targeting.countries')} testId="group-countries">
          <input placeholder="US, CA, GB" {...text('countries')} data-testid="group-countries" />
        </Field>
        <Field label="Languages (ISO codes)" error={e('targeting.languages')} testId="group-languages">
          <input placeholder="en, es" {...text('languages')} data-testid="group-languages" />
        </Field>
      </div>
      <Field label="Interests (hashtags)" error={e('targeting.interests')} testId="group-interests" hint="From the recommender's interest model">
        <input placeholder="#cats #cooking" {...text('interests')} data-testid="group-interests" />
      </Field>
      <Field label="Hashtags engaged with in the last 7 days" error={e('targeting.engagedHashtags')} testId="group-engaged">
        <input placeholder="#recipes" {...text('engagedHashtags')} data-testid="group-engaged" />
      </Field>
      <AudiencePicker advertiserId={advertiserId} value={f.audiences} onChange={set('audiences')} error={e('targeting.audiences')} />

      <label className="dv-check">
        <input type="checkbox" checked={f.capOn} onChange={(ev) => set('capOn')(ev.target.checked)} data-testid="group-cap-on" /> Frequency cap
      </label>
      {f.capOn && (
        <div className="dv-form-row">
          <Field label="At most (impressions per person)" error={e('frequencyCap.max') ?? e('frequencyCap')} testId="group-cap-max">
            <input type="number" min="1" max="100" {...text('capMax')} data-testid="group-cap-max" />
          </Field>
          <Field label="Every (days)" error={e('frequencyCap.days')} testId="group-cap-days">
            <input type="number" min="1" max="30" {...text('capDays')} data-testid="group-cap-days" />
          </Field>
        </div>
      )}
      <label className="dv-check">
        <input type="checkbox" checked={f.restricted} onChange={(ev) => set('restricted')(ev.target.checked)} data-testid="group-restricted" /> Restricted
        category (alcohol, gambling, dating…): never shown to anyone under 18
      </label>
      {e('restricted') && <small className="ads-field-error">{e('restricted')}</small>}
      <ErrorText message={leftover(errors, SHOWN)} />
      <div className="ads-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="group-create">
          Create ad group
        </button>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
