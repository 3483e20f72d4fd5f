import { useState } from 'react';
import { api, errorMessage } from '../api.ts';
import { ErrorText } from '../components/states.tsx';

/**
 * How an advertiser reports conversions: the pixel for their pages, and a key for the server-side conversions API
 * (shown once; creating a new one replaces the old). The click redirect adds `flick_click` to the landing URL.
 */
export function AdsConversionsPanel({ advertiserId, canEdit }: { advertiserId: string; canEdit: boolean }) {
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const origin = location.origin;
  const pixel = `<img src="${origin}/api/ads/pixel.gif?a=${advertiserId}&e=purchase&id=ORDER_ID&v=VALUE_CENTS&click=FLICK_CLICK" width="1" height="1" alt="">`;
  const curl = `curl -X POST ${origin}/api/ads/conversions \\
  -H "Authorization: Bearer ${key ?? 'YOUR_KEY'}" -H "Content-Type: application/json" \\
  -d '{"events":[{"eventId":"ORDER_ID","event":"purchase","valueCents":1999,"clickId":"FLICK_CLICK"}]}'`;

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      setKey((await api.call('adConversionsKey', { params: { id: advertiserId } })).key);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="dv-section" data-testid="ads-conversions">
      <details className="ads-details">
        <summary className="dv-h2">Conversion tracking</summary>
        <p className="dv-pad dv-muted">
          The ad&apos;s link adds <code>flick_click</code> to your landing page&apos;s address: send it back with each conversion. A conversion counts once per
          event id, and is credited to the ad within 28 days of a click (reported as 1-, 7- or 28-day) or 1 day of a view.
        </p>
        <p className="dv-pad">Pixel, on your confirmation page:</p>
        <pre className="ads-code">{pixel}</pre>
        <p className="dv-pad">Or from your server, with a conversions API key:</p>
        <pre className="ads-code">{curl}</pre>
        {key && (
          <p className="dv-pad" role="status" data-testid="conversions-key">
            Your key (shown once; keep it secret): <code className="ads-key">{key}</code>
          </p>
        )}
        <ErrorText message={error} />
        {canEdit && (
          <p className="dv-pad">
            <button type="button" className="btn btn-secondary dv-btn-small" disabled={busy} onClick={() => void create()} data-testid="conversions-key-create">
              {key ? 'Replace the key' : 'Create an API key'}
            </button>
          </p>
        )}
      </details>
    </section>
  );
}
