import { useMe } from '../api.ts';
import { profilePath, type Route } from '../router.ts';
import { HomeIcon, PlusIcon, UserIcon } from './icons.tsx';
import { Link } from './link.tsx';
import { Avatar } from './avatar.tsx';

/** Home · Upload (+) · Profile (or Log in). */
export function BottomNav({ route, onHomeAgain }: { route: Route; onHomeAgain?: () => void }) {
  const { me, loading } = useMe();
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
        to="/upload"
        className={route.name === 'upload' ? 'nav-item nav-upload is-active' : 'nav-item nav-upload'}
        data-testid="nav-upload"
        aria-label="Upload"
      >
        <span className="nav-upload-btn">
          <PlusIcon />
        </span>
      </Link>
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
