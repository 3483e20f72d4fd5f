import { useEffect, useState } from 'react';
import type { Lineage } from '@flick/contracts';
import { api } from '../api.ts';
import { Link } from '../components/link.tsx';
import { videoPath } from '../router.ts';
import '../styles/studio.css';

/** "Duet with @ana" / "Stitch by @ben": where a video came from and what was made from it. */
export function LineagePanel({ videoId }: { videoId: string }) {
  const [lin, setLin] = useState<Lineage | null>(null);
  useEffect(() => {
    void api.call('lineage', { params: { id: videoId } }).then(setLin, () => setLin(null));
  }, [videoId]);
  if (!lin || (!lin.sources.length && !lin.remixes.length)) return null;
  return (
    <div className="st-lineage" data-testid="lineage">
      {lin.sources.map((s) =>
        s.available ? (
          <Link key={s.videoId} to={videoPath(s.videoId)} className="st-chip" data-testid="lineage-source">
            {s.label}
          </Link>
        ) : (
          <span key={s.videoId} className="st-chip" data-testid="lineage-source">
            {s.label} (unavailable)
          </span>
        ),
      )}
      {lin.remixes.map((r) => (
        <Link key={r.videoId} to={videoPath(r.videoId)} className="st-chip" data-testid="lineage-remix">
          {r.label}
        </Link>
      ))}
    </div>
  );
}
