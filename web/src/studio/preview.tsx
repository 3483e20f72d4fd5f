import { useEffect, useRef, useState } from 'react';
import type HlsInstance from 'hls.js';
import type { EdlInput } from '@flick/contracts';
import { voiceOverGain } from './voice-over.tsx';

/** A clip as the editor holds it, with what the preview needs to play it. */
export type EditorClip = {
  videoId: string;
  hlsUrl: string;
  posterUrl?: string;
  thumbnails: string[];
  durationMs: number;
  inMs: number;
  outMs: number;
  label: string;
  /** When publishing as a template: a placeholder others fill with their own clip. */
  asSlot?: boolean;
};
export type EditorText = { content: string; startMs: number; endMs: number; size: number; color: string; y: number };

/** CSS stand-ins for the ffmpeg colour presets (edl-graph.ts COLOR_FILTERS), so the preview shows the grade. */
export const CSS_GRADES: Record<string, string> = {
  none: 'none',
  vivid: 'saturate(1.4) contrast(1.08)',
  mono: 'grayscale(1)',
  warm: 'sepia(0.25) saturate(1.1)',
  cool: 'hue-rotate(12deg) saturate(0.95)',
  fade: 'contrast(0.85) brightness(1.06) saturate(0.75)',
};

const loadHls = () => import('hls.js');

/** Attach an HLS stream to a video element (native on Safari); returns a detach function. */
function attach(el: HTMLVideoElement, url: string): () => void {
  let hls: HlsInstance | null = null;
  let cancelled = false;
  if (el.canPlayType('application/vnd.apple.mpegurl')) el.src = url;
  else
    void loadHls().then(({ default: Hls }) => {
      if (cancelled) return;
      if (!Hls.isSupported()) return void (el.src = url);
      hls = new Hls({ maxBufferLength: 6 });
      hls.loadSource(url);
      hls.attachMedia(el);
    });
  return () => {
    cancelled = true;
    hls?.destroy();
  };
}

const clipLen = (c: EditorClip) => c.outMs - c.inMs;

/**
 * Plays the timeline in the browser the way the render will: clips in order from their in to their
 * out point (one video element per track), text drawn on a canvas at the same relative size and
 * position as drawtext, the colour grade as a CSS filter, and the sound from an audio element.
 */
export function TimelinePreview(props: {
  clips: EditorClip[];
  /** A duet's other side (the original), shown beside the timeline. */
  duet?: EditorClip | null;
  text: EditorText[];
  color: string;
  soundUrl?: string | null;
  originalVolume: number;
  soundVolume: number;
  /** A voice-over placed on the timeline (played from `atMs`, with its level and fades). */
  voice?: { url: string; atMs: number; durationMs: number; volume: number; fadeInMs: number; fadeOutMs: number } | null;
}) {
  const { clips, duet, text, color, soundUrl, originalVolume, soundVolume, voice } = props;
  const mainRef = useRef<HTMLVideoElement>(null);
  const duetRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
  const voiceRef = useRef<HTMLAudioElement>(null);
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [timeMs, setTimeMs] = useState(0);
  const clip = clips[index];
  const totalMs = clips.reduce((s, c) => s + clipLen(c), 0);
  const offsetBefore = clips.slice(0, index).reduce((s, c) => s + clipLen(c), 0);

  useEffect(() => {
    const el = mainRef.current;
    if (!el || !clip) return;
    const detach = attach(el, clip.hlsUrl);
    const onMeta = () => {
      el.currentTime = clip.inMs / 1000;
      if (playing) void el.play().catch(() => undefined);
    };
    el.addEventListener('loadedmetadata', onMeta, { once: true });
    return () => {
      el.removeEventListener('loadedmetadata', onMeta);
      detach();
    };
  }, [clip?.videoId, clip?.hlsUrl, index]);

  useEffect(() => {
    const el = duetRef.current;
    if (!el || !duet) return;
    return attach(el, duet.hlsUrl);
  }, [duet]);

  useEffect(() => {
    if (mainRef.current) mainRef.current.volume = Math.min(1, originalVolume);
    if (duetRef.current) duetRef.current.volume = Math.min(1, originalVolume);
    if (audioRef.current) audioRef.current.volume = Math.min(1, soundVolume);
  }, [originalVolume, soundVolume]);

  // Follow the playhead: move to the next clip at an out point; draw the overlays.
  useEffect(() => {
    let raf = 0;
    const tick = () => {
      const el = mainRef.current;
      if (el && clip) {
        const local = el.currentTime * 1000;
        if (local >= clip.outMs - 30) {
          if (index + 1 < clips.length) setIndex(index + 1);
          else {
            el.pause();
            audioRef.current?.pause();
            duetRef.current?.pause();
            voiceRef.current?.pause();
            setPlaying(false);
          }
        }
        const now = offsetBefore + Math.max(0, local - clip.inMs);
        setTimeMs(now);
        // The voice-over plays from its place on the timeline, at its level with its fades (as the render mixes it).
        const vo = voiceRef.current;
        if (vo && voice) {
          const rel = now - voice.atMs;
          const len = Math.min(voice.durationMs, totalMs - voice.atMs);
          if (playing && !el.paused && rel >= 0 && rel < len) {
            if (vo.paused || Math.abs(vo.currentTime * 1000 - rel) > 300) vo.currentTime = rel / 1000;
            vo.volume = voiceOverGain(voice, rel, len);
            if (vo.paused) void vo.play().catch(() => undefined);
          } else if (!vo.paused) vo.pause();
        }
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [clip, clips.length, index, offsetBefore, playing, voice, totalMs]);

  useEffect(() => {
    const cv = canvasRef.current;
    const ctx = cv?.getContext('2d');
    if (!cv || !ctx) return;
    ctx.clearRect(0, 0, cv.width, cv.height);
    for (const t of text) {
      if (timeMs < t.startMs || timeMs >= t.endMs) continue;
      // drawtext sizes are pixels on a 1080-wide frame; the canvas is the frame at preview scale.
      ctx.font = `bold ${(t.size * cv.width) / 1080}px "DejaVu Sans", sans-serif`;
      ctx.fillStyle = t.color;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(t.content, cv.width / 2, cv.height * t.y);
    }
  }, [text, timeMs]);

  const play = () => {
    const el = mainRef.current;
    if (!el) return;
    if (playing) {
      el.pause();
      audioRef.current?.pause();
      duetRef.current?.pause();
      voiceRef.current?.pause();
      setPlaying(false);
      return;
    }
    if (index === clips.length - 1 && clip && el.currentTime * 1000 >= clip.outMs - 50) {
      setIndex(0);
      if (audioRef.current) audioRef.current.currentTime = 0;
    }
    setPlaying(true);
    void el.play().catch(() => undefined);
    void audioRef.current?.play().catch(() => undefined);
    void duetRef.current?.play().catch(() => undefined);
  };

  const total = totalMs;
  return (
    <div className="st-preview" data-testid="studio-preview">
      <div className={`st-frame${duet ? ' st-duet' : ''}`} style={{ filter: CSS_GRADES[color] ?? 'none' }}>
        {duet && <video ref={duetRef} className="st-video" muted={false} playsInline poster={duet.posterUrl} />}
        <video ref={mainRef} className="st-video" playsInline poster={clip?.posterUrl} data-testid="studio-preview-video" />
        <canvas ref={canvasRef} className="st-overlay" width={360} height={640} data-testid="studio-preview-canvas" />
      </div>
      {soundUrl && <audio ref={audioRef} src={soundUrl} preload="auto" />}
      {voice && <audio ref={voiceRef} src={voice.url} preload="auto" data-testid="studio-preview-voice" />}
      <div className="st-row">
        <button type="button" className="btn btn-secondary" data-testid="studio-play" disabled={!clips.length} onClick={play}>
          {playing ? 'Pause' : 'Preview'}
        </button>
        <span className="dv-muted" data-testid="studio-time">
          {(timeMs / 1000).toFixed(1)} / {(total / 1000).toFixed(1)} s
        </span>
      </div>
    </div>
  );
}

export type { EdlInput };
