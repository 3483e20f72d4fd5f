import { useState, type ReactNode } from 'react';
import { profilePath } from '../router.ts';
import { Link } from './link.tsx';

// The same anchors as the server's parseCaption (contracts/src/caption.ts), with positions kept.
const TOKEN = /(?<=^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]{1,64}|(?<=^|[^\p{L}\p{N}_.])@[A-Za-z0-9_.]{3,24}/gu;

type Segment = { kind: 'text' | 'hashtag' | 'mention'; text: string };

/** Splits a caption into plain text, #hashtags and @mentions (rendered as React text: never as HTML). */
export function captionSegments(caption: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of caption.matchAll(TOKEN)) {
    let token = m[0];
    const start = m.index;
    if (token.startsWith('@')) {
      token = token.replace(/\.+$/, '');
      if (token.length < 4) continue;
    }
    if (start > last) out.push({ kind: 'text', text: caption.slice(last, start) });
    out.push({ kind: token.startsWith('#') ? 'hashtag' : 'mention', text: token });
    last = start + token.length;
  }
  if (last < caption.length) out.push({ kind: 'text', text: caption.slice(last) });
  return out;
}

export function CaptionText({ text, clamp = true }: { text: string; clamp?: boolean }) {
  const [expanded, setExpanded] = useState(false);
  if (!text.trim()) return null;
  const long = text.length > 90 || text.split('\n').length > 2;
  const parts: ReactNode[] = captionSegments(text).map((seg, i) => {
    if (seg.kind === 'hashtag')
      return (
        <span key={i} className="hashtag">
          {seg.text}
        </span>
      );
    if (seg.kind === 'mention')
      return (
        <Link key={i} className="mention" to={profilePath(seg.text.slice(1))} onClick={(e) => e.stopPropagation()}>
          {seg.text}
        </Link>
      );
    return <span key={i}>{seg.text}</span>;
  });
  const clamped = clamp && long && !expanded;
  return (
    <p className={clamped ? 'caption is-clamped' : 'caption'}>
      <span className="caption-body">{parts}</span>
      {clamp && long && (
        <button
          type="button"
          className="caption-more"
          onClick={(e) => {
            e.stopPropagation();
            setExpanded((v) => !v);
          }}
        >
          {expanded ? 'less' : 'more'}
        </button>
      )}
    </p>
  );
}
