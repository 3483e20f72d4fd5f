import { useEffect } from 'react';
import { Link } from '../components/link.tsx';
import { CenterState } from '../components/states.tsx';

export function NotFoundPage() {
  useEffect(() => {
    document.title = 'Not found · Flick';
  }, []);
  return (
    <div className="page page-center">
      <CenterState title="Page not found">
        <p>The link may be broken, or the page may have moved.</p>
        <Link to="/" className="btn btn-primary">
          Go to For You
        </Link>
      </CenterState>
    </div>
  );
}
