import { useSyncExternalStore } from 'react';

/** A small history router: location.pathname + pushState/popstate, no hash, no library. */

export type FeedTab = 'for-you' | 'following';

export type Route =
  | { name: 'feed'; tab: FeedTab }
  | { name: 'upload' }
  | { name: 'profile'; username: string }
  | { name: 'video'; id: string }
  | { name: 'login' }
  | { name: 'signup' }
  | { name: 'inbox' }
  | { name: 'wallet' }
  | { name: 'wallet-3ds'; id: string }
  | { name: 'earnings' }
  | { name: 'staff-payouts' }
  | { name: 'staff-ledger' }
  | { name: 'staff-wallet'; username: string }
  | { name: 'search' }
  | { name: 'discover' }
  | { name: 'tag'; tag: string }
  | { name: 'challenge'; slug: string }
  | { name: 'staff-challenges' }
  | { name: 'analytics'; videoId: string | null }
  | { name: 'embed'; id: string }
  | { name: 'studio' }
  | { name: 'studio-templates' }
  | { name: 'studio-template'; id: string }
  | { name: 'sound'; id: string }
  | { name: 'ads' }
  | { name: 'ads-report'; level: 'campaign' | 'ad-group' | 'ad'; id: string }
  | { name: 'ads-invoice'; advertiserId: string; month: string }
  | { name: 'staff-ads' }
  | { name: 'not-found' };

const NAVIGATE_EVENT = 'flick:navigate';

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  switch (path) {
    case '':
    case '/':
      return { name: 'feed', tab: 'for-you' };
    case '/following':
      return { name: 'feed', tab: 'following' };
    case '/upload':
      return { name: 'upload' };
    case '/studio':
      return { name: 'studio' };
    case '/studio/templates':
      return { name: 'studio-templates' };
    case '/login':
      return { name: 'login' };
    case '/signup':
      return { name: 'signup' };
    case '/search':
      return { name: 'search' };
    case '/discover':
      return { name: 'discover' };
    case '/staff/challenges':
      return { name: 'staff-challenges' };
    case '/analytics':
      return { name: 'analytics', videoId: null };
    case '/inbox':
      return { name: 'inbox' };
    case '/wallet':
      return { name: 'wallet' };
    case '/earnings':
      return { name: 'earnings' };
    case '/staff/payouts':
      return { name: 'staff-payouts' };
    case '/staff/ledger':
      return { name: 'staff-ledger' };
    case '/ads':
      return { name: 'ads' };
    case '/staff/ads':
      return { name: 'staff-ads' };
  }
  const profile = /^\/@([^/]+)$/.exec(path);
  if (profile?.[1]) return { name: 'profile', username: decode(profile[1]) };
  const threeDs = /^\/wallet\/3ds\/([^/]+)$/.exec(path);
  if (threeDs?.[1]) return { name: 'wallet-3ds', id: decode(threeDs[1]) };
  const staffWallet = /^\/staff\/wallets\/([^/]+)$/.exec(path);
  if (staffWallet?.[1]) return { name: 'staff-wallet', username: decode(staffWallet[1]) };
  const tag = /^\/tag\/([^/]+)$/.exec(path);
  if (tag?.[1]) return { name: 'tag', tag: decode(tag[1]) };
  const challenge = /^\/challenge\/([^/]+)$/.exec(path);
  if (challenge?.[1]) return { name: 'challenge', slug: decode(challenge[1]) };
  const embed = /^\/embed\/([^/]+)$/.exec(path);
  if (embed?.[1]) return { name: 'embed', id: decode(embed[1]) };
  const videoStats = /^\/analytics\/([^/]+)$/.exec(path);
  if (videoStats?.[1]) return { name: 'analytics', videoId: decode(videoStats[1]) };
  const template = /^\/studio\/templates\/([^/]+)$/.exec(path);
  if (template?.[1]) return { name: 'studio-template', id: decode(template[1]) };
  const sound = /^\/sound\/([^/]+)$/.exec(path);
  if (sound?.[1]) return { name: 'sound', id: decode(sound[1]) };
  const adReport = /^\/ads\/report\/(campaign|ad-group|ad)\/([^/]+)$/.exec(path);
  if (adReport?.[1] && adReport[2]) return { name: 'ads-report', level: adReport[1] as 'campaign' | 'ad-group' | 'ad', id: decode(adReport[2]) };
  const adInvoice = /^\/ads\/invoices\/([^/]+)\/(\d{4}-\d{2})$/.exec(path);
  if (adInvoice?.[1] && adInvoice[2]) return { name: 'ads-invoice', advertiserId: decode(adInvoice[1]), month: adInvoice[2] };
  const video = /^\/v\/([^/]+)$/.exec(path);
  if (video?.[1]) return { name: 'video', id: decode(video[1]) };
  return { name: 'not-found' };
}

export type NavigateOptions = { replace?: boolean; /** Where the user came from, e.g. 'profile' (read with `navigationFrom()`). */ from?: string };

type HistoryState = { inApp: boolean; from?: string };

function currentState(): HistoryState | null {
  const s: unknown = history.state;
  return typeof s === 'object' && s !== null && 'inApp' in s ? (s as HistoryState) : null;
}

export function navigate(to: string, opts: NavigateOptions = {}): void {
  const current = location.pathname + location.search;
  if (opts.replace || to === current) {
    // A replaced entry keeps whether there is an in-app page behind it.
    history.replaceState({ inApp: currentState()?.inApp ?? false, from: opts.from } satisfies HistoryState, '', to);
  } else {
    history.pushState({ inApp: true, from: opts.from } satisfies HistoryState, '', to);
  }
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The `from` given to `navigate()` for the current history entry. */
export function navigationFrom(): string | undefined {
  return currentState()?.from;
}

/** Goes back within the app when there is an in-app page behind this one, else to `fallback`. */
export function goBack(fallback = '/'): void {
  if (currentState()?.inApp) history.back();
  else navigate(fallback, { replace: true });
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const snapshot = () => location.pathname + location.search;

/** The current path + search; re-renders on navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, 'http://x');
  return { pathname: url.pathname, search: url.searchParams };
}

export function useRoute(): Route {
  return matchRoute(useLocation().pathname);
}

/** A redirect target from `?next=`, only ever a same-site path. */
export function safeNext(next: string | null | undefined, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}

export const profilePath = (username: string) => `/@${encodeURIComponent(username)}`;
export const videoPath = (id: string) => `/v/${encodeURIComponent(id)}`;
export const loginPath = (next?: string) => (next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login');
export const tagPath = (tag: string) => `/tag/${encodeURIComponent(tag.replace(/^#/, '').toLowerCase())}`;
export const challengePath = (slug: string) => `/challenge/${encodeURIComponent(slug)}`;
export const searchPath = (q: string) => (q ? `/search?q=${encodeURIComponent(q)}` : '/search');
export const soundPath = (id: string) => `/sound/${encodeURIComponent(id)}`;
