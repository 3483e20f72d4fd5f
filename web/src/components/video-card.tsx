import { useState } from 'react';
import type { Video } from '@flick/contracts';
import { track, type FeedSource } from '../events.ts';
import { formatCount } from '../format.ts';
import { VideoPlayer } from '../player/video-player.tsx';
import { profilePath, videoPath } from '../router.ts';
import { Avatar } from './avatar.tsx';
import { CaptionText } from './caption-text.tsx';
import { FollowButton } from './follow-button.tsx';
import { EyeIcon, MoreIcon, ShareIcon } from './icons.tsx';
import { ItemSheet, type HideTarget, type Recommendation } from './item-sheet.tsx';
import { LikeButton } from './like-button.tsx';
import { Link } from './link.tsx';
import { showToast } from './toast.tsx';

export type VideoCardProps = {
  video: Video;
  active: boolean;
  /** Attach the stream (active and neighbours). */
  attach: boolean;
  /** Render a <video> at all (a little wider than `attach`); far items are just a poster. */
  mounted: boolean;
  feed: FeedSource;
  /** Why a feed recommended it (shown in the "⋯" sheet). */
  recommendation?: Recommendation;
  /** The viewer said "not interested" (the server has recorded it). */
  onHidden?: (target: HideTarget) => void;
};

/** The system share sheet, or copy the link; whether it was shared (a cancelled share is not). */
async function share(video: Video): Promise<boolean> {
  const url = new URL(videoPath(video.id), location.origin).toString();
  const title = `@${video.author.username} on Flick`;
  try {
    if (typeof navigator.share === 'function') {
      await navigator.share({ title, text: video.caption || title, url });
      return true;
    }
    await navigator.clipboard.writeText(url);
    showToast('Link copied');
    return true;
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return false;
    showToast(url);
    return false;
  }
}

/** A full-height video with its overlay: creator, caption, follow, and the right-hand rail. */
export function VideoCard({ video, active, attach, mounted, feed, recommendation, onHidden }: VideoCardProps) {
  const author = video.author;
  const [sheetOpen, setSheetOpen] = useState(false);
  const visitProfile = (e: { stopPropagation: () => void }) => {
    e.stopPropagation();
    track({ type: 'profile_visit', videoId: video.id, feed });
  };
  return (
    <div className="video-card">
      {mounted ? (
        <VideoPlayer video={video} active={active} attach={attach} feed={feed} />
      ) : (
        <div className="player">
          {video.posterUrl && <img className="player-video fit-cover" src={video.posterUrl} alt="" loading="lazy" decoding="async" />}
        </div>
      )}
      <div className="overlay">
        <div className="overlay-info">
          <div className="overlay-author">
            <Link to={profilePath(author.username)} className="overlay-author-link" data-testid="author-link" onClick={visitProfile}>
              <span className="overlay-username">@{author.username}</span>
              {author.displayName && author.displayName !== author.username && <span className="overlay-display">{author.displayName}</span>}
            </Link>
            <FollowButton username={author.username} enabled={attach} onFollowed={() => track({ type: 'follow', videoId: video.id, feed })} />
          </div>
          <CaptionText text={video.caption} />
        </div>
        <div className="overlay-rail">
          <Link
            to={profilePath(author.username)}
            className="rail-avatar"
            data-testid="author-avatar"
            aria-label={`@${author.username}'s profile`}
            onClick={visitProfile}
          >
            <Avatar user={author} size={46} />
          </Link>
          <LikeButton videoId={video.id} feed={feed} />
          <div className="rail-item" title={`${video.stats.views} views`}>
            <span className="rail-icon">
              <EyeIcon />
            </span>
            <span className="rail-label">{formatCount(video.stats.views)}</span>
          </div>
          <button
            type="button"
            className="rail-item"
            data-testid="share-button"
            onClick={(e) => {
              e.stopPropagation();
              void share(video).then((shared) => {
                if (shared) track({ type: 'share', videoId: video.id, feed });
              });
            }}
          >
            <span className="rail-icon">
              <ShareIcon />
            </span>
            <span className="rail-label">Share</span>
          </button>
          <button
            type="button"
            className="rail-item"
            data-testid="more-button"
            aria-label="More options"
            aria-haspopup="dialog"
            aria-expanded={sheetOpen}
            onClick={(e) => {
              e.stopPropagation();
              setSheetOpen(true);
            }}
          >
            <span className="rail-icon rail-icon-small">
              <MoreIcon />
            </span>
          </button>
        </div>
      </div>
      {sheetOpen && <ItemSheet video={video} recommendation={recommendation} onClose={() => setSheetOpen(false)} onHidden={onHidden} />}
    </div>
  );
}
