import { useEffect, useState } from 'react';
import type { Collection } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { formatCount } from '../format.ts';
import { setSaved, useEngagement } from '../likes.ts';
import { CommentsSheet } from './comments-sheet.tsx';
import { BookmarkIcon, CommentIcon } from './engagement-icons.tsx';
import { promptLogin } from './login-prompt.tsx';
import { Sheet } from './sheet.tsx';
import { showToast } from './toast.tsx';
import '../styles/engagement.css';

/** The comment bubble on the action rail: opens the comments sheet. */
export function CommentButton({ videoId, enabled = true, startOpen = false }: { videoId: string; enabled?: boolean; startOpen?: boolean }) {
  const state = useEngagement(videoId, enabled);
  const [open, setOpen] = useState(startOpen);
  return (
    <>
      <button
        type="button"
        className="rail-item"
        data-testid="comment-button"
        aria-label="Comments"
        aria-haspopup="dialog"
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        <span className="rail-icon">
          <CommentIcon />
        </span>
        <span className="rail-label" data-testid="comment-count">
          {state ? formatCount(state.comments) : 'Comment'}
        </span>
      </button>
      {open && <CommentsSheet videoId={videoId} onClose={() => setOpen(false)} />}
    </>
  );
}

function CollectionsSheet({ videoId, onClose }: { videoId: string; onClose: () => void }) {
  const state = useEngagement(videoId);
  const [collections, setCollections] = useState<Collection[] | null>(null);
  const [name, setName] = useState('');
  useEffect(() => {
    api.call('collections').then(
      (r) => setCollections(r.items),
      (err: unknown) => showToast(errorMessage(err)),
    );
  }, []);
  const pick = (collectionId: string | null) => {
    setSaved(videoId, true, collectionId).then(
      () => {
        showToast(collectionId ? `Saved to ${collections?.find((c) => c.id === collectionId)?.name ?? 'collection'}` : 'Saved');
        onClose();
      },
      (err: unknown) => showToast(errorMessage(err)),
    );
  };
  return (
    <Sheet title="Save to" onClose={onClose} testId="collections-sheet">
      <div className="collections">
        <button type="button" className={state?.saved && !state.collectionId ? 'collection-row is-current' : 'collection-row'} onClick={() => pick(null)}>
          All saved
        </button>
        {collections?.map((c) => (
          <button
            key={c.id}
            type="button"
            className={state?.collectionId === c.id ? 'collection-row is-current' : 'collection-row'}
            data-testid="collection-row"
            onClick={() => pick(c.id)}
          >
            {c.name} <span className="collection-count">{c.videos}</span>
          </button>
        ))}
        <form
          className="collection-new"
          onSubmit={(e) => {
            e.preventDefault();
            if (!name.trim()) return;
            api.call('createCollection', { body: { name } }).then(
              (c) => {
                setName('');
                pick(c.id);
              },
              (err: unknown) => showToast(errorMessage(err)),
            );
          }}
        >
          <input
            value={name}
            maxLength={40}
            placeholder="New collection"
            aria-label="New collection name"
            data-testid="collection-name"
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" disabled={!name.trim()} data-testid="collection-create">
            Create
          </button>
        </form>
        {state?.saved && (
          <button
            type="button"
            className="collection-row is-danger"
            data-testid="unsave"
            onClick={() =>
              setSaved(videoId, false).then(
                () => {
                  showToast('Removed from saved');
                  onClose();
                },
                (err: unknown) => showToast(errorMessage(err)),
              )
            }
          >
            Remove from saved
          </button>
        )}
      </div>
    </Sheet>
  );
}

/** The bookmark on the action rail: a tap saves (or unsaves); a long press or a second tap picks a collection. */
export function SaveButton({ videoId, enabled = true }: { videoId: string; enabled?: boolean }) {
  const { me } = useMe();
  const state = useEngagement(videoId, enabled);
  const saved = !!me && !!state?.saved;
  const [picker, setPicker] = useState(false);
  return (
    <>
      <button
        type="button"
        className={saved ? 'rail-item rail-save is-saved' : 'rail-item rail-save'}
        data-testid="save-button"
        data-saved={saved ? 'true' : 'false'}
        aria-pressed={saved}
        aria-label={saved ? 'Saved: choose a collection' : 'Save'}
        onClick={(e) => {
          e.stopPropagation();
          if (!me) {
            promptLogin('Log in to save videos for later.');
            return;
          }
          if (saved) setPicker(true);
          else
            setSaved(videoId, true).then(
              () => showToast('Saved · tap again to pick a collection'),
              (err: unknown) => showToast(errorMessage(err)),
            );
        }}
      >
        <span className="rail-icon">
          <BookmarkIcon fill={saved ? 'currentColor' : 'none'} />
        </span>
        <span className="rail-label">{state ? formatCount(state.saves) : 'Save'}</span>
      </button>
      {picker && <CollectionsSheet videoId={videoId} onClose={() => setPicker(false)} />}
    </>
  );
}
