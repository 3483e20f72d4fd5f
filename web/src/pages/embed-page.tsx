import { useEffect, useState } from 'react';
import type { Video } from '@flick/contracts';
import { api } from '../api.ts';
import { VideoPlayer } from '../player/video-player.tsx';
import { Spinner } from '../components/states.tsx';
import '../styles/discovery.css';

/** /embed/:id — the player alone, for iframes on other sites (HLS through hls.js); views count as share traffic. */
export function EmbedPage({ id }: { id: string }) {
  const [video, setVideo] = useState<Video | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    api.call('video', { params: { id } }).then(
      (v) => {
        if (cancelled) return;
        if (v.status === 'ready' && v.hlsUrl && v.visibility === 'public') setVideo(v);
        else setFailed(true);
      },
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
    };
  }, [id]);

  const watchUrl = `${location.origin}/v/${encodeURIComponent(id)}?src=share`;
  return (
    <div className="dv-embed" data-testid="embed-page">
      {failed && <p className="dv-embed-msg">This video is unavailable.</p>}
      {!video && !failed && <Spinner />}
      {video && <VideoPlayer video={video} active attach feed="share" />}
      <a className="dv-embed-brand" href={watchUrl} target="_blank" rel="noopener" data-testid="embed-watch">
        {video ? `@${video.author.username} · ` : ''}Watch on Flick
      </a>
    </div>
  );
}
