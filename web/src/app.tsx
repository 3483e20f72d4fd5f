import { useEffect, useState, type ReactNode } from 'react';
import { loadMe } from './api.ts';
import { BottomNav } from './components/bottom-nav.tsx';
import { LoginPrompt } from './components/login-prompt.tsx';
import { Toaster } from './components/toast.tsx';
import { FeedPage, resetFeeds } from './pages/feed-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { ProfilePage } from './pages/profile-page.tsx';
import { SignupPage } from './pages/signup-page.tsx';
import { UploadPage } from './pages/upload-page.tsx';
import { VideoPage } from './pages/video-page.tsx';
import { useRoute, type Route } from './router.ts';

const TITLES: Partial<Record<Route['name'], string>> = { feed: 'Flick', 'not-found': 'Not found · Flick' };

function renderPage(route: Route, feedEpoch: number): ReactNode {
  switch (route.name) {
    case 'feed':
      return <FeedPage tab={route.tab} epoch={feedEpoch} />;
    case 'upload':
      return <UploadPage />;
    case 'profile':
      return <ProfilePage key={route.username.toLowerCase()} username={route.username} />;
    case 'video':
      return <VideoPage key={route.id} id={route.id} />;
    case 'login':
      return <LoginPage />;
    case 'signup':
      return <SignupPage />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

export function App() {
  const route = useRoute();
  /** Bumped by tapping Home on the For You feed: reload it from the top. */
  const [feedEpoch, setFeedEpoch] = useState(0);

  useEffect(() => {
    void loadMe();
  }, []);

  useEffect(() => {
    const title = TITLES[route.name];
    if (title) document.title = title;
  }, [route.name]);

  const showNav = route.name !== 'login' && route.name !== 'signup';
  return (
    <div className={`app route-${route.name}${showNav ? ' has-nav' : ''}`}>
      <main className="app-main">{renderPage(route, feedEpoch)}</main>
      {showNav && (
        <BottomNav
          route={route}
          onHomeAgain={() => {
            resetFeeds();
            setFeedEpoch((n) => n + 1);
          }}
        />
      )}
      <LoginPrompt />
      <Toaster />
    </div>
  );
}
