import type { Video } from '@flick/contracts';
import { formatCount } from '../format.ts';
import { videoPath } from '../router.ts';
import { EyeIcon } from './icons.tsx';
import { Link } from './link.tsx';
import '../styles/discovery.css';

/** A grid of video posters linking to /v/:id; `from` tells the player which traffic source the view came from. */
export function VideoTiles({
  videos,
  from,
  testId,
  badge,
}: {
  videos: readonly Video[];
  from: string;
  testId?: string;
  badge?: (v: Video, i: number) => string | null;
}) {
  return (
    <ul className="dv-tiles" data-testid={testId}>
      {videos.map((v, i) => (
        <li key={v.id} className="dv-tile">
          <Link to={videoPath(v.id)} from={from} data-testid="video-tile" data-video-id={v.id} aria-label={v.caption || `Video by @${v.author.username}`}>
            {v.posterUrl ? <img src={v.posterUrl} alt="" loading="lazy" decoding="async" /> : <span className="dv-tile-blank" aria-hidden="true" />}
            {badge?.(v, i) && <span className="dv-tile-badge">{badge(v, i)}</span>}
            <span className="dv-tile-meta">
              <EyeIcon /> {formatCount(v.stats.views)}
            </span>
            <span className="dv-tile-caption">{v.caption}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
