import { useEffect, useState } from 'react';
import type { SoundPage as SoundPageData } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { Link } from '../components/link.tsx';
import { CenterState, Spinner } from '../components/states.tsx';
import { videoPath } from '../router.ts';
import '../styles/studio.css';

/** A sound: who made it, "N videos use this sound" (the original first) and "Use this sound". */
export function StudioSoundPage({ id }: { id: string }) {
  const [data, setData] = useState<SoundPageData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { me } = useMe();
  useEffect(() => {
    void api.call('sound', { params: { id } }).then(setData, (e: unknown) => setError(errorMessage(e)));
  }, [id]);
  if (error)
    return (
      <CenterState title="Sound not found" tone="error">
        {error}
      </CenterState>
    );
  if (!data) return <Spinner />;
  const { sound, videos } = data;
  return (
    <div className="studio-page" data-testid="sound-page">
      <h1 className="st-title">{sound.title}</h1>
      <p className="dv-muted">
        by @{sound.owner.username} ·{' '}
        <span data-testid="sound-uses">
          {sound.useCount} {sound.useCount === 1 ? 'video uses' : 'videos use'} this sound
        </span>
      </p>
      <audio controls src={sound.audioUrl} preload="none" />
      {me?.id === sound.owner.id && (
        <label className="st-row">
          <input
            type="checkbox"
            data-testid="sound-enabled"
            checked={sound.enabled}
            onChange={(e) =>
              void api.call('updateSound', { params: { id: sound.id }, body: { enabled: e.target.checked } }).then(
                (s) => setData({ ...data, sound: s }),
                (err: unknown) => setError(errorMessage(err)),
              )
            }
          />
          Others can use this sound (off: it leaves the library and cannot be used in new videos)
        </label>
      )}
      <Link to={`/studio?sound=${sound.id}`} className="btn btn-primary" data-testid="use-sound">
        Use this sound
      </Link>
      <div className="st-picker">
        {videos.map((v) => (
          <Link key={v.id} to={videoPath(v.id)} className="st-pick">
            {v.posterUrl && <img src={v.posterUrl} alt="" />}
            <span>{v.original ? 'Original' : `@${v.username}`}</span>
          </Link>
        ))}
      </div>
    </div>
  );
}
