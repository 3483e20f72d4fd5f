import type { Video } from '@flick/contracts';
import type { FeedSource } from '../events.ts';
import { formatCount } from '../format.ts';
import { VideoPlayer } from '../player/video-player.tsx';
import { profilePath, videoPath } from '../router.ts';
import { Avatar } from './avatar.tsx';
import { CaptionText } from './caption-text.tsx';
import { FollowButton } from './follow-button.tsx';
import { EyeIcon, ShareIcon } from './icons.tsx';
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
};

async function share(video: Video) {
  const url = new URL(videoPath(video.id), location.origin).toString();
  const title = `@${video.author.username} on Flick`;
  try {
    if (typeof navigator.share === 'function') {
      await navigator.share({ title, text: video.caption || title, url });
      return;
    }
    await navigator.clipboard.writeText(url);
    showToast('Link copied');
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return;
    showToast(url);
  }
}

/** A full-height video with its overlay: creator, caption, follow, and the right-hand rail. */
export function VideoCard({ video, active, attach, mounted, feed }: VideoCardProps) {
  const author = video.author;
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
            <Link to={profilePath(author.username)} className="overlay-author-link" onClick={(e) => e.stopPropagation()}>
              <span className="overlay-username">@{author.username}</span>
              {author.displayName && author.displayName !== author.username && <span className="overlay-display">{author.displayName}</span>}
            </Link>
            <FollowButton username={author.username} enabled={attach} />
          </div>
          <CaptionText text={video.caption} />
        </div>
        <div className="overlay-rail">
          <Link to={profilePath(author.username)} className="rail-avatar" aria-label={`@${author.username}'s profile`} onClick={(e) => e.stopPropagation()}>
            <Avatar user={author} size={46} />
          </Link>
          <div className="rail-item" title={`${video.stats.views} views`}>
            <span className="rail-icon">
              <EyeIcon />
            </span>
            <span className="rail-label">{formatCount(video.stats.views)}</span>
          </div>
          <button
            type="button"
            className="rail-item"
            onClick={(e) => {
              e.stopPropagation();
              void share(video);
            }}
          >
            <span className="rail-icon">
              <ShareIcon />
            </span>
            <span className="rail-label">Share</span>
          </button>
        </div>
      </div>
    </div>
  );
}
