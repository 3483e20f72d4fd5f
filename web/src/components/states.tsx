import type { ReactNode } from 'react';

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return <div className="spinner" role="status" aria-label={label} />;
}

export function CenterState({
  title,
  children,
  icon,
  tone = 'neutral',
}: {
  title: string;
  children?: ReactNode;
  icon?: ReactNode;
  tone?: 'neutral' | 'error';
}) {
  return (
    <div className={`center-state tone-${tone}`} data-testid={tone === 'error' ? 'error' : undefined} role={tone === 'error' ? 'alert' : undefined}>
      {icon && <div className="center-state-icon">{icon}</div>}
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function ErrorText({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="form-error" data-testid="error" role="alert">
      {message}
    </p>
  );
}
