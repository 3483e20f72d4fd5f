import type { ReactNode } from 'react';
import { goBack } from '../router.ts';
import { CloseIcon } from './icons.tsx';

/** The frame of the log-in and sign-up screens. */
export function AuthShell({ title, subtitle, children, footer }: { title: string; subtitle: string; children: ReactNode; footer: ReactNode }) {
  return (
    <div className="page auth-page">
      <button type="button" className="icon-btn auth-close" aria-label="Close" onClick={() => goBack('/')}>
        <CloseIcon />
      </button>
      <div className="auth-brand">
        <img src="/icon.svg" alt="" width={56} height={56} />
      </div>
      <h1 className="auth-title">{title}</h1>
      <p className="auth-subtitle">{subtitle}</p>
      {children}
      <p className="auth-footer">{footer}</p>
    </div>
  );
}
