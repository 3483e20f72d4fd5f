import { useMe } from '../api.ts';
import { profilePath, type Route } from '../router.ts';
import { HomeIcon, PlusIcon, UserIcon } from './icons.tsx';
import { Link } from './link.tsx';
import { Avatar } from './avatar.tsx';
import { SearchIcon } from './discovery-icons.tsx';
import { BellIcon } from './engagement-icons.tsx';
import { StudioIcon } from '../studio/studio-icon.tsx';
import { useUnread } from '../notifications.ts';
import '../styles/engagement.css';

/** Home · Discover · Upload (+) · Studio, Wallet, Inbox (signed in; Inbox with an unread badge) · Profile (or Log in). */
export function BottomNav({ route, onHomeAgain }: { route: Route; onHomeAgain?: () => void }) {
  const { me, loading } = useMe();
  const unread = useUnread();
  const onMyProfile = route.name === 'profile' && me !== null && route.username.toLowerCase() === me.username.toLowerCase();
  return (
    <nav className="bottom-nav" aria-label="Main">
      <Link
        to="/"
        className={route.name === 'feed' ? 'nav-item is-active' : 'nav-item'}
        aria-current={route.name === 'feed' ? 'page' : undefined}
        data-testid="nav-home"
        onClick={() => {
          if (route.name === 'feed' && route.tab === 'for-you') onHomeAgain?.();
        }}
      >
        <HomeIcon />
        <span>Home</span>
      </Link>
      <Link
        to="/discover"
        className={['discover', 'search', 'tag', 'challenge'].includes(route.name) ? 'nav-item is-active' : 'nav-item'}
        aria-current={route.name === 'discover' ? 'page' : undefined}
        data-testid="nav-discover"
      >
        <SearchIcon />
        <span>Discover</span>
      </Link>
      <Link
        to="/upload"
        className={route.name === 'upload' ? 'nav-item nav-upload is-active' : 'nav-item nav-upload'}
        data-testid="nav-upload"
        aria-label="Upload"
      >
        <span className="nav-upload-btn">
          <PlusIcon />
        </span>
      </Link>
      {me && (
        <Link
          to="/studio"
          className={route.name.startsWith('studio') || route.name === 'sound' ? 'nav-item is-active' : 'nav-item'}
          aria-current={route.name === 'studio' ? 'page' : undefined}
          data-testid="nav-studio"
        >
          <StudioIcon />
          <span>Studio</span>
        </Link>
      )}
      {me && (
        <Link
          to="/wallet"
          className={route.name === 'wallet' || route.name === 'earnings' ? 'nav-item is-active' : 'nav-item'}
          aria-current={route.name === 'wallet' ? 'page' : undefined}
          data-testid="nav-wallet"
        >
          <img src="/gifts/coin.svg" alt="" width={24} height={24} />
          <span>Wallet</span>
        </Link>
      )}
      {me && (
        <Link
          to="/inbox"
          className={route.name === 'inbox' ? 'nav-item is-active' : 'nav-item'}
          aria-current={route.name === 'inbox' ? 'page' : undefined}
          aria-label={unread ? `Inbox, ${unread} unread` : 'Inbox'}
          data-testid="nav-inbox"
        >
          <span className="nav-bell">
            <BellIcon />
            {unread > 0 && (
              <span className="nav-badge" data-testid="unread-badge">
                {unread > 99 ? '99+' : unread}
              </span>
            )}
          </span>
          <span>Inbox</span>
        </Link>
      )}
      {me ? (
        <Link
          to={profilePath(me.username)}
          className={onMyProfile ? 'nav-item is-active' : 'nav-item'}
          aria-current={onMyProfile ? 'page' : undefined}
          data-testid="nav-profile"
        >
          <Avatar user={me} size={24} className="nav-avatar" />
          <span>Profile</span>
        </Link>
      ) : (
        <Link to="/login" className={route.name === 'login' ? 'nav-item is-active' : 'nav-item'} data-testid="nav-profile" aria-disabled={loading || undefined}>
          <UserIcon />
          <span>{loading ? 'Profile' : 'Log in'}</span>
        </Link>
      )}
    </nav>
  );
}
