import { useEffect, useState } from 'react';
import type { ShareInfo, Video } from '@flick/contracts';
import { api, errorMessage } from '../api.ts';
import { track, type FeedSource } from '../events.ts';
import { Sheet } from './sheet.tsx';
import { showToast } from './toast.tsx';
import { Spinner } from './states.tsx';
import { RemixActions } from '../studio/remix-actions.tsx';
import '../styles/discovery.css';

type Channel = 'copy' | 'native' | 'qr' | 'embed';

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Insecure context or no permission: fall back to a selected textarea.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

/** Share a video: copy link (with the sharer's attribution), the system share sheet, a QR code, or embed code; each counts a share. */
export function ShareSheet({ video, feed, onClose }: { video: Video; feed: FeedSource; onClose: () => void }) {
  const [info, setInfo] = useState<ShareInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [qr, setQr] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.call('shareInfo', { params: { id: video.id } }).then(
      (i) => !cancelled && setInfo(i),
      (err: unknown) => !cancelled && setError(errorMessage(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [video.id]);

  const count = async (channel: Channel) => {
    track({ type: 'share', videoId: video.id, feed });
    try {
      setInfo(await api.call('shareVideo', { params: { id: video.id }, body: { channel } }));
    } catch (err) {
      console.warn('share not counted', err);
    }
  };

  const canNativeShare = typeof navigator.share === 'function';
  const title = `@${video.author.username} on Flick`;

  return (
    <Sheet title="Share" onClose={onClose} testId="share-sheet">
      {error && <p className="form-error">{error}</p>}
      {!info && !error && <Spinner />}
      {info && (
        <div className="dv-share">
          <input className="dv-share-url" readOnly value={info.url} data-testid="share-url" aria-label="Link" onFocus={(e) => e.currentTarget.select()} />
          <div className="dv-share-actions">
            <button
              type="button"
              className="btn btn-primary"
              data-testid="share-copy"
              onClick={() =>
                void copy(info.url).then((ok) => {
                  showToast(ok ? 'Link copied' : info.url);
                  if (ok) void count('copy');
                })
              }
            >
              Copy link
            </button>
            {canNativeShare && (
              <button
                type="button"
                className="btn btn-secondary"
                data-testid="share-native"
                onClick={() =>
                  void navigator.share({ title, text: video.caption || title, url: info.url }).then(
                    () => count('native'),
                    () => undefined,
                  )
                }
              >
                Share…
              </button>
            )}
            <button
              type="button"
              className="btn btn-secondary"
              data-testid="share-qr"
              onClick={() =>
                void import('qrcode')
                  .then((QRCode) => QRCode.toDataURL(info.url, { margin: 1, width: 240, color: { dark: '#000000', light: '#ffffff' } }))
                  .then((url) => {
                    setQr(url);
                    void count('qr');
                  })
              }
            >
              QR code
            </button>
            <button
              type="button"
              className="btn btn-secondary"
              data-testid="share-embed"
              onClick={() =>
                void copy(info.embedCode).then((ok) => {
                  showToast(ok ? 'Embed code copied' : 'Could not copy');
                  if (ok) void count('embed');
                })
              }
            >
              Embed
            </button>
          </div>
          <RemixActions video={video} onDone={onClose} />
          {qr && <img className="dv-share-qr" src={qr} alt={`QR code for ${info.url}`} data-testid="share-qr-image" width={240} height={240} />}
          <p className="dv-muted" data-testid="share-count">
            Shared {info.shares} {info.shares === 1 ? 'time' : 'times'}
          </p>
        </div>
      )}
    </Sheet>
  );
}
