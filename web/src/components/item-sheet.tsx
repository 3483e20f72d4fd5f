import { useState, type ButtonHTMLAttributes, type ReactNode } from 'react';
import type { Video } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { EyeOffIcon, HashIcon, InfoIcon, UserOffIcon } from './icons.tsx';
import { promptLogin } from './login-prompt.tsx';
import { Sheet } from './sheet.tsx';
import { showToast } from './toast.tsx';

/** What the viewer asked to see less of. */
export type HideTarget = { kind: 'video'; videoId: string } | { kind: 'creator'; username: string } | { kind: 'hashtag'; hashtag: string };

/** Why the recommender picked a video: its candidate sources and reasons in plain words. */
export type Recommendation = { reason: string; why: readonly string[] };

export type ItemSheetProps = {
  video: Video;
  /** Absent outside a feed (e.g. a shared link): no "Why this video?" then. */
  recommendation?: Recommendation;
  onClose: () => void;
  /** After the server took the "not interested": the feed drops what matches. */
  onHidden?: (target: HideTarget) => void;
};

const MAX_TAGS = 3;

/** Does `video` match what the viewer hid? (Hashtags compare case-insensitively, as the server does.) */
export function matchesHidden(video: Video, target: HideTarget): boolean {
  switch (target.kind) {
    case 'video':
      return video.id === target.videoId;
    case 'creator':
      return video.author.username.toLowerCase() === target.username.toLowerCase();
    case 'hashtag':
      return video.hashtags.some((t) => t.toLowerCase() === target.hashtag.toLowerCase());
  }
}

/** "embedding+hashtag" → "embedding · hashtag"; "baseline:popular" → "baseline: popular". */
export function formatSources(reason: string): string {
  return reason
    .split('+')
    .map((s) => s.trim().replace(/:(?=\S)/, ': '))
    .filter(Boolean)
    .join(' · ');
}

function body(target: HideTarget) {
  switch (target.kind) {
    case 'video':
      return { videoId: target.videoId };
    case 'creator':
      return { creator: target.username };
    case 'hashtag':
      return { hashtag: target.hashtag };
  }
}

function doneMessage(target: HideTarget): string {
  switch (target.kind) {
    case 'video':
      return "We'll show fewer videos like this";
    case 'creator':
      return `You won't see videos from @${target.username} in For You`;
    case 'hashtag':
      return `You won't see #${target.hashtag} in For You`;
  }
}

function Action({ icon, children, busy, ...rest }: { icon: ReactNode; busy: boolean } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type="button" className="sheet-action" disabled={busy} {...rest}>
      <span className="sheet-action-icon">{icon}</span>
      <span className="sheet-action-label">{children}</span>
    </button>
  );
}

/** The "⋯" sheet of a feed item: why it was recommended, and "show me less of this". */
export function ItemSheet({ video, recommendation, onClose, onHidden }: ItemSheetProps) {
  const { me } = useMe();
  const [busy, setBusy] = useState(false);
  const author = video.author.username;
  const tags = video.hashtags.slice(0, MAX_TAGS);
  const isOwn = me !== null && me.id === video.author.id;

  const hide = async (target: HideTarget) => {
    if (busy) return;
    if (!me) {
      onClose();
      promptLogin('Log in to tell Flick what you don’t want to see. Your For You gets better with every choice.');
      return;
    }
    setBusy(true);
    try {
      await api.call('notInterested', { body: body(target) });
      onClose();
      onHidden?.(target);
      showToast(doneMessage(target));
    } catch (err) {
      showToast(errorMessage(err));
      setBusy(false);
    }
  };

  const why = recommendation?.why ?? [];
  return (
    <Sheet title="More options" onClose={onClose} testId="item-sheet">
      {recommendation && (
        <section className="why" aria-labelledby={`why-${video.id}`}>
          <h3 id={`why-${video.id}`} className="why-title">
            <InfoIcon width={16} height={16} /> Why this video?
          </h3>
          <ul className="why-list" data-testid="why-list">
            {why.length > 0 ? why.map((line) => <li key={line}>{line}</li>) : <li>Picked from what’s new and popular on Flick</li>}
          </ul>
          {recommendation.reason && (
            <p className="why-sources" data-testid="why-sources">
              Sources: {formatSources(recommendation.reason)}
            </p>
          )}
        </section>
      )}
      {!isOwn && (
        <div className="sheet-actions" role="group" aria-label="Show less of this">
          <Action icon={<EyeOffIcon />} busy={busy} data-testid="not-interested" onClick={() => void hide({ kind: 'video', videoId: video.id })}>
            Not interested
          </Action>
          <Action icon={<UserOffIcon />} busy={busy} data-testid="hide-creator" onClick={() => void hide({ kind: 'creator', username: author })}>
            Hide videos from @{author}
          </Action>
          {tags.map((tag) => (
            <Action
              key={tag}
              icon={<HashIcon />}
              busy={busy}
              data-testid="hide-hashtag"
              data-hashtag={tag}
              onClick={() => void hide({ kind: 'hashtag', hashtag: tag })}
            >
              Hide #{tag}
            </Action>
          ))}
        </div>
      )}
    </Sheet>
  );
}
