import { useMemo, useState } from 'react';
import type { FeedItem, Video } from '@flick/contracts';
import { adViewTracker, trackAdAction } from '../ad-tracking.ts';
import { track, type FeedSource } from '../events.ts';
import { formatCount } from '../format.ts';
import { VideoPlayer } from '../player/video-player.tsx';
import { profilePath } from '../router.ts';
import { Avatar } from './avatar.tsx';
import { CaptionText } from './caption-text.tsx';
import { FollowButton } from './follow-button.tsx';
import { EyeIcon, MoreIcon, ShareIcon } from './icons.tsx';
import { ItemSheet, type HideTarget, type Recommendation } from './item-sheet.tsx';
import { LikeButton } from './like-button.tsx';
import { CommentButton, SaveButton } from './engagement-rail.tsx';
import { GiftButton } from './gift-button.tsx';
import { Link } from './link.tsx';
import { ShareSheet } from './share-sheet.tsx';
import '../styles/ads.css';

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
  /** A paid placement: labelled, with the advertiser's call to action, and its views reported to the ad server. */
  sponsored?: FeedItem['sponsored'];
};

/** A full-height video with its overlay: creator, caption, follow, and the right-hand rail. */
export function VideoCard({ video, active, attach, mounted, feed, recommendation, onHidden, sponsored }: VideoCardProps) {
  const author = video.author;
  const impressionId = sponsored?.impressionId;
  const onWatch = useMemo(() => (impressionId ? adViewTracker(impressionId) : undefined), [impressionId]);
  const [sheetOpen, setSheetOpen] = useState(false);
  const [shareOpen, setShareOpen] = useState(false);
  const visitProfile = (e: { stopPropagation: () => void }) => {
    e.stopPropagation();
    track({ type: 'profile_visit', videoId: video.id, feed });
    if (impressionId) trackAdAction(impressionId, 'profile_visit');
  };
  const followed = () => {
    track({ type: 'follow', videoId: video.id, feed });
    if (impressionId) trackAdAction(impressionId, 'follow');
  };
  return (
    <div className="video-card">
      {mounted ? (
        <VideoPlayer video={video} active={active} attach={attach} feed={feed} onWatch={onWatch} />
      ) : (
        <div className="player">
          {video.posterUrl && <img className="player-video fit-cover" src={video.posterUrl} alt="" loading="lazy" decoding="async" />}
        </div>
      )}
      <div className="overlay">
        <div className="overlay-info">
          {sponsored && (
            <div className="sponsored-label" data-testid="sponsored-label">
              {sponsored.label}
              <span>· {sponsored.by}</span>
            </div>
          )}
          <div className="overlay-author">
            <Link to={profilePath(author.username)} className="overlay-author-link" data-testid="author-link" onClick={visitProfile}>
              <span className="overlay-username">@{author.username}</span>
              {author.displayName && author.displayName !== author.username && <span className="overlay-display">{author.displayName}</span>}
            </Link>
            <FollowButton username={author.username} enabled={attach} onFollowed={followed} />
          </div>
          <CaptionText text={video.caption} />
          {sponsored?.cta && (
            <a
              className="sponsored-cta"
              href={sponsored.cta.url}
              target="_blank"
              rel="noopener noreferrer"
              data-testid="sponsored-cta"
              onClick={(e) => e.stopPropagation()}
            >
              {sponsored.cta.text}
            </a>
          )}
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
          <LikeButton videoId={video.id} feed={feed} enabled={mounted} />
          <CommentButton videoId={video.id} enabled={mounted} />
          <SaveButton videoId={video.id} enabled={mounted} />
          <GiftButton video={video} enabled={attach} />
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
              setShareOpen(true);
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
      {shareOpen && <ShareSheet video={video} feed={feed} onClose={() => setShareOpen(false)} />}
      {sheetOpen && <ItemSheet video={video} recommendation={recommendation} onClose={() => setSheetOpen(false)} onHidden={onHidden} />}
    </div>
  );
}
