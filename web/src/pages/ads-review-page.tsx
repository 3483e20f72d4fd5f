import { useEffect, useState } from 'react';
import { AdReviewBody, type ClientResult, type Video } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { BackIcon } from '../components/icons.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { goBack, videoPath } from '../router.ts';
import '../styles/discovery.css';
import '../styles/ads.css';

type Item = ClientResult<'adReviewQueue'>['items'][number];
const isStaff = (roles: readonly string[]) => roles.includes('admin') || roles.includes('moderator');

function Poster({ videoId }: { videoId: string }) {
  const [video, setVideo] = useState<Video | null>(null);
  useEffect(() => {
    let cancelled = false;
    api.call('video', { params: { id: videoId } }).then(
      (v) => !cancelled && setVideo(v),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [videoId]);
  return (
    <a href={videoPath(videoId)} target="_blank" rel="noreferrer" className="ads-review-poster" aria-label="Watch the ad video in a new tab">
      {video?.posterUrl ? <img src={video.posterUrl} alt="" /> : <span className="ads-video-blank" />}
    </a>
  );
}

function ReviewRow({ item, onDone }: { item: Item; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const decide = async (decision: 'approve' | 'reject') => {
    // Checked here with the API's own schema: a rejection needs a reason the advertiser can act on.
    const body = AdReviewBody.safeParse({ decision, reason: reason.trim() || undefined });
    if (!body.success) return setError(body.error.issues[0]?.message ?? 'Check the reason');
    setBusy(true);
    setError(null);
    try {
      await api.call('reviewAd', { params: { id: item.id }, body: body.data });
      showToast(decision === 'approve' ? `Approved ${item.name}` : `Rejected ${item.name}`);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="ads-review" data-testid="review-item" data-ad={item.id} data-name={item.name}>
      <Poster videoId={item.videoId} />
      <div className="ads-review-body">
        <strong>{item.name}</strong>
        <span className="dv-muted">by {item.advertiser}</span>
        <span>
          “{item.cta.text}” → <span className="ads-host">{item.landingHost}</span>
        </span>
        <span className="dv-muted ads-url">{item.cta.url}</span>
        <span className="dv-muted">submitted {new Date(item.createdAt).toLocaleString()}</span>
        <input
          className="ads-reason"
          placeholder="Reason (required to reject; the advertiser sees it)"
          value={reason}
          maxLength={500}
          onChange={(e) => setReason(e.target.value)}
          data-testid="review-reason"
        />
        <ErrorText message={error} />
        <div className="ads-actions">
          <button type="button" className="btn btn-primary dv-btn-small" disabled={busy} onClick={() => void decide('approve')} data-testid="review-approve">
            Approve
          </button>
          <button type="button" className="btn btn-secondary dv-btn-small" disabled={busy} onClick={() => void decide('reject')} data-testid="review-reject">
            Reject
          </button>
        </div>
      </div>
    </li>
  );
}

/** /staff/ads — creative review: ads that passed the automatic checks wait here for a moderator, oldest first. */
export function AdsReviewPage() {
  const { me, loading } = useMe();
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const staff = !!me && isStaff(me.roles);
  const reload = () =>
    api.call('adReviewQueue').then(
      (r) => setItems(r.items),
      (err: unknown) => setError(errorMessage(err)),
    );
  useEffect(() => {
    document.title = 'Ad review · Staff · Flick';
    if (staff) void reload();
  }, [staff]);

  if (loading) return <Spinner />;
  if (!staff)
    return (
      <div className="dv-page">
        <CenterState title="Staff only" tone="error">
          <p>Only moderators and admins review ads.</p>
        </CenterState>
      </div>
    );
  return (
    <div className="dv-page ads-page" data-testid="ads-review-page">
      <header className="dv-header">
        <button type="button" className="icon-btn" aria-label="Back" onClick={() => goBack('/discover')}>
          <BackIcon />
        </button>
        <div className="dv-title">
          <h1>Ad review</h1>
          <span className="dv-muted">{items ? `${items.length} waiting` : ''}</span>
        </div>
      </header>
      <ErrorText message={error} />
      {!items && !error && <Spinner />}
      {items && items.length === 0 && (
        <p className="dv-pad dv-muted" data-testid="review-empty">
          Nothing waiting for review.
        </p>
      )}
      <ul className="ads-list" data-testid="review-queue">
        {items?.map((i) => (
          <ReviewRow key={i.id} item={i} onDone={() => void reload()} />
        ))}
      </ul>
    </div>
  );
}
