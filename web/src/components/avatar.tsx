import type { UserSummary } from '@flick/contracts';

const HUES = [340, 12, 32, 160, 190, 220, 265, 295];

function hueFor(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return HUES[h % HUES.length] ?? 340;
}

/** The avatar image, or a coloured circle with the first letter of the name. */
export function Avatar({
  user,
  size = 40,
  className,
}: {
  user: Pick<UserSummary, 'username' | 'displayName' | 'avatarUrl'>;
  size?: number;
  className?: string;
}) {
  const style = { width: size, height: size, fontSize: Math.round(size * 0.42) };
  const cls = className ? `avatar ${className}` : 'avatar';
  if (user.avatarUrl) return <img className={cls} style={style} src={user.avatarUrl} alt={`${user.displayName}'s avatar`} loading="lazy" decoding="async" />;
  const letter = [...(user.displayName || user.username).trim()][0]?.toUpperCase() ?? '?';
  const hue = hueFor(user.username);
  return (
    <span
      className={`${cls} avatar-letter`}
      style={{ ...style, background: `linear-gradient(135deg, hsl(${hue} 80% 58%), hsl(${(hue + 40) % 360} 75% 45%))` }}
      role="img"
      aria-label={`${user.displayName}'s avatar`}
    >
      {letter}
    </span>
  );
}
