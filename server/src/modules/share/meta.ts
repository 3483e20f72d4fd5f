/**
 * Server-rendered meta for public pages: Open Graph, Twitter cards and oEmbed discovery, injected into
 * the web app's index.html. Pure functions; every value is escaped for an HTML attribute or text node.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** One line, no control characters, at most `max` characters (cut at a word when possible). */
export function clip(s: string, max: number): string {
  const flat = s
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.5 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export type PageMeta = {
  title: string;
  description: string;
  /** Absolute canonical URL (no attribution parameters). */
  url: string;
  type: 'video.other' | 'profile' | 'website';
  image?: string;
  imageWidth?: number;
  imageHeight?: number;
  /** An embeddable player (text/html) for og:video and twitter:player. */
  player?: { url: string; width: number; height: number };
  oembedUrl?: string;
  /** Tell crawlers not to index (e.g. the embed page). */
  noindex?: boolean;
};

export function metaTags(m: PageMeta): string {
  const tags: string[] = [];
  const prop = (p: string, v: string | number) => tags.push(`<meta property="${p}" content="${escapeHtml(String(v))}" />`);
  const name = (n: string, v: string | number) => tags.push(`<meta name="${n}" content="${escapeHtml(String(v))}" />`);
  name('description', m.description);
  prop('og:site_name', 'Flick');
  prop('og:type', m.type);
  prop('og:title', m.title);
  prop('og:description', m.description);
  prop('og:url', m.url);
  if (m.image) {
    prop('og:image', m.image);
    if (m.imageWidth && m.imageHeight) {
      prop('og:image:width', m.imageWidth);
      prop('og:image:height', m.imageHeight);
    }
  }
  if (m.player) {
    prop('og:video', m.player.url);
    prop('og:video:secure_url', m.player.url);
    prop('og:video:type', 'text/html');
    prop('og:video:width', m.player.width);
    prop('og:video:height', m.player.height);
    name('twitter:card', 'player');
    name('twitter:player', m.player.url);
    name('twitter:player:width', m.player.width);
    name('twitter:player:height', m.player.height);
  } else {
    name('twitter:card', m.image ? 'summary_large_image' : 'summary');
  }
  name('twitter:title', m.title);
  name('twitter:description', m.description);
  if (m.image) name('twitter:image', m.image);
  tags.push(`<link rel="canonical" href="${escapeHtml(m.url)}" />`);
  if (m.oembedUrl) tags.push(`<link rel="alternate" type="application/json+oembed" href="${escapeHtml(m.oembedUrl)}" title="${escapeHtml(m.title)}" />`);
  if (m.noindex) name('robots', 'noindex');
  return tags.join('\n    ');
}

/** Replace the page's <title> and generic description with the page's own, and add the meta tags before </head>. */
export function injectMeta(html: string, m: PageMeta | null, title?: string): string {
  let out = html;
  const t = title ?? m?.title;
  if (t) out = out.replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(t)}</title>`);
  if (!m) return out;
  out = out.replace(/<meta name="description"[^>]*>\s*/, '');
  return out.replace('</head>', `    ${metaTags(m)}\n  </head>`);
}

/** What the API serves when it runs without the web build (tests, API-only processes). */
export const FALLBACK_INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="description" content="Flick — short videos, endlessly." />
    <title>Flick</title>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`;
