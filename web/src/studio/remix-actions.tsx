import { useEffect, useState } from 'react';
import type { RemixPermissions, Video } from '@flick/contracts';
import { api } from '../api.ts';
import { navigate } from '../router.ts';

/** Duet / Stitch entries for the share sheet, shown only when the creator allows them. */
export function RemixActions({ video, onDone }: { video: Video; onDone: () => void }) {
  const [perms, setPerms] = useState<RemixPermissions | null>(null);
  useEffect(() => {
    void api.call('lineage', { params: { id: video.id } }).then(
      (l) => setPerms(l.permissions),
      () => setPerms(null),
    );
  }, [video.id]);
  if (!perms || video.visibility !== 'public' || video.status !== 'ready') return null;
  const go = (to: string) => {
    onDone();
    navigate(to);
  };
  return (
    <div className="dv-share-actions" data-testid="remix-actions">
      {perms.duet && (
        <button type="button" className="btn btn-secondary" data-testid="remix-duet" onClick={() => go(`/studio?duet=${video.id}`)}>
          Duet
        </button>
      )}
      {perms.stitch && (
        <button type="button" className="btn btn-secondary" data-testid="remix-stitch" onClick={() => go(`/studio?stitch=${video.id}`)}>
          Stitch
        </button>
      )}
    </div>
  );
}
