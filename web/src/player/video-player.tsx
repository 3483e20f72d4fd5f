import { useCallback, useEffect, useRef, useState } from 'react';
import type HlsInstance from 'hls.js';
import type { Video } from '@flick/contracts';
import { onPageHide, track, type FeedSource } from '../events.ts';
import { PlayIcon, VolumeOffIcon, VolumeOnIcon } from '../components/icons.tsx';
import { setSoundOn, useSoundOn } from './sound.ts';
import type { WatchProgress } from '../ad-tracking.ts';

type HlsModule = { default: typeof HlsInstance };
let hlsModule: Promise<HlsModule> | null = null;
/** hls.js is a big library: load it once, on the first video, in its own chunk. */
const loadHls = () => (hlsModule ??= import('hls.js'));

export type VideoPlayerProps = {
  video: Video;
  /** The item in view: plays (muted unless the viewer chose sound) and reports events. */
  active: boolean;
  /** Attach the stream: the active item and its neighbours (preloading). Detached players hold no decoder or buffer. */
  attach: boolean;
  feed: FeedSource;
  /** Progress of the current view (sponsored items report their milestones from it). */
  onWatch?: (w: WatchProgress) => void;
};

type EventType = 'impression' | 'play' | 'progress' | 'complete' | 'replay' | 'skip' | 'pause';

/** Watch accounting for one "view": from the moment an item becomes active until it stops being active. */
type ViewSession = {
  watchMs: number;
  playingSince: number | null;
  played: boolean;
  completed: boolean;
  reportedMs: number;
  lastTime: number;
};

const PROGRESS_EVERY_MS = 5000;
const SKIP_UNDER_MS = 2000;
const SKIP_UNDER_FRACTION = 0.15;

function watched(s: ViewSession): number {
  return s.watchMs + (s.playingSince === null ? 0 : performance.now() - s.playingSince);
}

function isPortrait(video: Video): boolean {
  return video.width === null || video.height === null || video.height >= video.width * 1.15;
}

export function VideoPlayer({ video, active, attach, feed, onWatch }: VideoPlayerProps) {
  const elRef = useRef<HTMLVideoElement>(null);
  const barRef = useRef<HTMLDivElement>(null);
  const hlsRef = useRef<HlsInstance | null>(null);
  const reportRef = useRef<((type: EventType) => void) | null>(null);
  const onWatchRef = useRef(onWatch);
  onWatchRef.current = onWatch;
  const soundOn = useSoundOn();
  const [blocked, setBlocked] = useState(false);
  const [userPaused, setUserPaused] = useState(false);
  const [buffering, setBuffering] = useState(false);
  const [failed, setFailed] = useState(false);
  const [sourceVersion, setSourceVersion] = useState(0);
  const muted = !soundOn || blocked;

  const tryPlay = useCallback(() => {
    const el = elRef.current;
    if (!el) return;
    el.play().catch((err: unknown) => {
      // Sound without a gesture is refused by autoplay policy: fall back to muted, keep the unmute button.
      if (err instanceof DOMException && err.name === 'NotAllowedError' && !el.muted) {
        setBlocked(true);
        el.muted = true;
        el.play().catch(() => undefined);
      }
    });
  }, []);

  // One view (declared before the stream effects so that on unmount it reads position/duration before detaching):
  // impression, play, periodic progress, complete/replay, and skip or final progress on leaving.
  useEffect(() => {
    const el = elRef.current;
    if (!active || !el) return;
    const s: ViewSession = { watchMs: 0, playingSince: null, played: false, completed: false, reportedMs: 0, lastTime: el.currentTime };
    const durationMs = () => (Number.isFinite(el.duration) && el.duration > 0 ? el.duration * 1000 : (video.durationMs ?? undefined));
    const report = (type: EventType) =>
      track({
        type,
        videoId: video.id,
        feed,
        watchMs: type === 'impression' ? undefined : watched(s),
        positionMs: type === 'impression' ? undefined : el.currentTime * 1000,
        durationMs: durationMs(),
      });
    const startClock = () => {
      if (s.playingSince === null) s.playingSince = performance.now();
    };
    const stopClock = () => {
      if (s.playingSince !== null) {
        s.watchMs += performance.now() - s.playingSince;
        s.playingSince = null;
      }
    };
    const checkTime = () => {
      const t = el.currentTime;
      const d = el.duration;
      if (Number.isFinite(d) && d > 0) {
        if (barRef.current) barRef.current.style.transform = `scaleX(${Math.min(1, t / d)})`;
        const wrapped = t + 0.5 < s.lastTime && s.lastTime >= d - 1;
        if (!s.completed && (wrapped || t >= d - 0.25)) {
          s.completed = true;
          report('complete');
        }
        if (wrapped) report('replay');
      }
      s.lastTime = t;
      onWatchRef.current?.({ watchMs: watched(s), positionMs: t * 1000, durationMs: durationMs(), completed: s.completed });
    };

    reportRef.current = report;
    report('impression');
    if (!el.paused && el.readyState > 2) startClock();

    const onPlaying = () => {
      startClock();
      if (!s.played) {
        s.played = true;
        report('play');
      }
    };
    el.addEventListener('playing', onPlaying);
    el.addEventListener('pause', stopClock);
    el.addEventListener('waiting', stopClock);
    el.addEventListener('emptied', stopClock);
    el.addEventListener('timeupdate', checkTime);

    let frame = requestAnimationFrame(function tick() {
      checkTime();
      frame = requestAnimationFrame(tick);
    });
    const interval = setInterval(() => {
      const w = watched(s);
      if (w - s.reportedMs >= PROGRESS_EVERY_MS) {
        s.reportedMs = w;
        report('progress');
      }
    }, 1000);

    // Hidden tab / leaving the page: stop, checkpoint the watch time, and resume when visible again.
    let resumeOnShow = false;
    const offHide = onPageHide(() => {
      if (!el.paused) {
        resumeOnShow = true;
        el.pause();
      }
      stopClock();
      if (s.watchMs > s.reportedMs) {
        s.reportedMs = s.watchMs;
        report('progress');
      }
    });
    const onVisible = () => {
      if (document.visibilityState === 'visible' && resumeOnShow) {
        resumeOnShow = false;
        tryPlay();
      }
    };
    document.addEventListener('visibilitychange', onVisible);

    return () => {
      cancelAnimationFrame(frame);
      clearInterval(interval);
      offHide();
      document.removeEventListener('visibilitychange', onVisible);
      el.removeEventListener('playing', onPlaying);
      el.removeEventListener('pause', stopClock);
      el.removeEventListener('waiting', stopClock);
      el.removeEventListener('emptied', stopClock);
      el.removeEventListener('timeupdate', checkTime);
      stopClock();
      const d = durationMs();
      const skipped = !s.completed && (s.watchMs < SKIP_UNDER_MS || (d !== undefined && s.watchMs < d * SKIP_UNDER_FRACTION));
      report(skipped ? 'skip' : 'progress');
      reportRef.current = null;
      // Coming back to this item later starts a fresh view from the top.
      el.pause();
      if (el.readyState > 0) el.currentTime = 0;
      if (barRef.current) barRef.current.style.transform = 'scaleX(0)';
      setUserPaused(false);
      setBuffering(false);
    };
  }, [active, video.id, video.durationMs, feed, tryPlay]);

  // Attach / detach the stream.
  useEffect(() => {
    const el = elRef.current;
    const src = video.hlsUrl;
    if (!el || !attach || !src) return;
    let cancelled = false;
    let hls: HlsInstance | null = null;
    setFailed(false);
    loadHls().then(
      ({ default: Hls }) => {
        if (cancelled) return;
        if (Hls.isSupported()) {
          let networkRetries = 0;
          let mediaRecoveries = 0;
          const instance = new Hls({ capLevelToPlayerSize: true, maxBufferLength: 8, backBufferLength: 10 });
          hls = instance;
          hlsRef.current = instance;
          instance.on(Hls.Events.MANIFEST_PARSED, () => setSourceVersion((v) => v + 1));
          instance.on(Hls.Events.ERROR, (_event, data) => {
            if (!data.fatal) return;
            if (data.type === Hls.ErrorTypes.NETWORK_ERROR && networkRetries < 3) {
              networkRetries++;
              instance.startLoad();
            } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
              mediaRecoveries++;
              instance.recoverMediaError();
            } else {
              setFailed(true);
              instance.destroy();
              if (hlsRef.current === instance) hlsRef.current = null;
            }
          });
          instance.loadSource(src);
          instance.attachMedia(el);
        } else if (el.canPlayType('application/vnd.apple.mpegurl')) {
          el.src = src;
          setSourceVersion((v) => v + 1);
        } else {
          setFailed(true);
        }
      },
      () => {
        if (!cancelled) setFailed(true);
      },
    );
    return () => {
      cancelled = true;
      if (hls) {
        hls.destroy();
        if (hlsRef.current === hls) hlsRef.current = null;
      } else if (el.getAttribute('src')) {
        el.removeAttribute('src');
        el.load();
      }
    };
  }, [attach, video.hlsUrl]);

  // The active item buffers further ahead than its preloading neighbours.
  useEffect(() => {
    const hls = hlsRef.current;
    if (hls) hls.config.maxBufferLength = active ? 30 : 8;
  }, [active, sourceVersion]);

  // Play / pause / mute.
  useEffect(() => {
    const el = elRef.current;
    if (!el) return;
    el.muted = muted;
    if (active && attach && !userPaused && !failed) tryPlay();
    else el.pause();
  }, [active, attach, userPaused, failed, muted, sourceVersion, tryPlay]);

  // Buffering indicator.
  useEffect(() => {
    const el = elRef.current;
    if (!el) return;
    const on = () => setBuffering(true);
    const off = () => setBuffering(false);
    el.addEventListener('waiting', on);
    el.addEventListener('playing', off);
    el.addEventListener('pause', off);
    el.addEventListener('canplaythrough', off);
    return () => {
      el.removeEventListener('waiting', on);
      el.removeEventListener('playing', off);
      el.removeEventListener('pause', off);
      el.removeEventListener('canplaythrough', off);
    };
  }, []);

  const togglePlay = () => {
    const el = elRef.current;
    if (!el || !active || failed) return;
    if (userPaused || el.paused) {
      setUserPaused(false);
      tryPlay();
    } else {
      setUserPaused(true);
      el.pause();
      reportRef.current?.('pause');
    }
  };

  const toggleSound = () => {
    const el = elRef.current;
    if (muted) {
      setBlocked(false);
      setSoundOn(true);
      if (el) {
        // Unmute inside the gesture so the browser allows sound.
        el.muted = false;
        if (active && !userPaused) tryPlay();
      }
    } else {
      setSoundOn(false);
      if (el) el.muted = true;
    }
  };

  return (
    <div className="player" onClick={togglePlay}>
      <video
        ref={elRef}
        data-testid="video-player"
        className={isPortrait(video) ? 'player-video fit-cover' : 'player-video fit-contain'}
        poster={video.posterUrl}
        playsInline
        loop
        muted={muted}
        preload={attach ? 'auto' : 'none'}
        disablePictureInPicture
        aria-label={video.caption ? `Video by @${video.author.username}: ${video.caption}` : `Video by @${video.author.username}`}
      />
      {active && userPaused && (
        <div className="player-paused" aria-hidden="true">
          <PlayIcon />
        </div>
      )}
      {active && buffering && !userPaused && <div className="spinner player-spinner" role="status" aria-label="Loading" />}
      {failed && <div className="player-error">This video can’t be played right now.</div>}
      {!video.hlsUrl && !failed && <div className="player-error">This video is still processing.</div>}
      <button
        type="button"
        data-testid="unmute"
        className={muted ? 'unmute is-muted' : 'unmute'}
        aria-pressed={!muted}
        aria-label={muted ? 'Unmute' : 'Mute'}
        onClick={(e) => {
          e.stopPropagation();
          toggleSound();
        }}
      >
        {muted ? <VolumeOffIcon /> : <VolumeOnIcon />}
        {muted && <span>Tap to unmute</span>}
      </button>
      <div className="player-progress" aria-hidden="true">
        <div ref={barRef} className="player-progress-fill" />
      </div>
    </div>
  );
}
