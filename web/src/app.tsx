import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Spinner } from './components/states.tsx';
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
import { InboxPage } from './pages/inbox-page.tsx';
import { WalletPage } from './pages/wallet-page.tsx';
import { Wallet3dsPage } from './pages/wallet-3ds-page.tsx';
import { EarningsPage } from './pages/earnings-page.tsx';
import { StaffPayoutsPage } from './pages/staff-payouts-page.tsx';
import { StaffLedgerPage } from './pages/staff-ledger-page.tsx';
import { StaffWalletPage } from './pages/staff-wallet-page.tsx';
import { SearchPage } from './pages/search-page.tsx';
import { DiscoverPage } from './pages/discover-page.tsx';
import { TagPage } from './pages/tag-page.tsx';
import { ChallengePage } from './pages/challenge-page.tsx';
import { StaffChallengesPage } from './pages/staff-challenges-page.tsx';
import { EmbedPage } from './pages/embed-page.tsx';
import { StudioPage } from './pages/studio-page.tsx';
import { StudioSoundPage } from './pages/studio-sound-page.tsx';
import { AdsPage } from './pages/ads-page.tsx';
import { AdsReviewPage } from './pages/ads-review-page.tsx';
import { StudioTemplatesPage, UseTemplatePage } from './pages/studio-templates-page.tsx';
import { useRoute, type Route } from './router.ts';

// Chart.js is only needed on the analytics page: load it with the page.
const AnalyticsPage = lazy(() => import('./pages/analytics-page.tsx').then((m) => ({ default: m.AnalyticsPage })));
const AdsInvoicePage = lazy(() => import('./pages/ads-invoice-page.tsx').then((m) => ({ default: m.AdsInvoicePage })));
const AdsReportPage = lazy(() => import('./pages/ads-report-page.tsx').then((m) => ({ default: m.AdsReportPage })));

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
    case 'inbox':
      return <InboxPage />;
    case 'wallet':
      return <WalletPage />;
    case 'wallet-3ds':
      return <Wallet3dsPage key={route.id} id={route.id} />;
    case 'earnings':
      return <EarningsPage />;
    case 'staff-payouts':
      return <StaffPayoutsPage />;
    case 'staff-ledger':
      return <StaffLedgerPage />;
    case 'staff-wallet':
      return <StaffWalletPage key={route.username} username={route.username} />;
    case 'search':
      return <SearchPage />;
    case 'discover':
      return <DiscoverPage />;
    case 'tag':
      return <TagPage key={route.tag.toLowerCase()} tag={route.tag.toLowerCase().replace(/^#/, '')} />;
    case 'challenge':
      return <ChallengePage key={route.slug} slug={route.slug} />;
    case 'staff-challenges':
      return <StaffChallengesPage />;
    case 'analytics':
      return (
        <Suspense fallback={<Spinner />}>
          <AnalyticsPage key={route.videoId ?? 'all'} videoId={route.videoId} />
        </Suspense>
      );
    case 'embed':
      return <EmbedPage key={route.id} id={route.id} />;
    case 'studio':
      return <StudioPage />;
    case 'sound':
      return <StudioSoundPage key={route.id} id={route.id} />;
    case 'studio-templates':
      return <StudioTemplatesPage />;
    case 'studio-template':
      return <UseTemplatePage key={route.id} id={route.id} />;
    case 'ads':
      return <AdsPage />;
    case 'ads-report':
      return (
        <Suspense fallback={<Spinner />}>
          <AdsReportPage key={`${route.level}:${route.id}`} level={route.level} id={route.id} />
        </Suspense>
      );
    case 'ads-invoice':
      return (
        <Suspense fallback={<Spinner />}>
          <AdsInvoicePage key={`${route.advertiserId}:${route.month}`} advertiserId={route.advertiserId} month={route.month} />
        </Suspense>
      );
    case 'staff-ads':
      return <AdsReviewPage />;
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

  const showNav = route.name !== 'login' && route.name !== 'signup' && route.name !== 'embed';
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
