import { Svg, type IconProps } from './icons.tsx';

/** A magnifier, drawn like the other icons (24px grid, 2px stroke, currentColor). */
export const SearchIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="11" cy="11" r="7" />
    <path d="m20 20-3.5-3.5" />
  </Svg>
);

/** A music note (sounds in search and on Discover). */
export const NoteIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M9 18V5l11-2v13" />
    <circle cx="6" cy="18" r="3" />
    <circle cx="17" cy="16" r="3" />
  </Svg>
);
