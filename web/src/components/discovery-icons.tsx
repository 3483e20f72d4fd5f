import { Svg, type IconProps } from './icons.tsx';

/** A magnifier, drawn like the other icons (24px grid, 2px stroke, currentColor). */
export const SearchIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="11" cy="11" r="7" />
    <path d="m20 20-3.5-3.5" />
  </Svg>
);
