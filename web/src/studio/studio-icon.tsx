import { Svg, type IconProps } from '../components/icons.tsx';

/** A clapperboard: the Studio (editor, templates, sounds). */
export const StudioIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="3" y="9" width="18" height="12" rx="1.5" />
    <path d="m3.5 9 16.2-4.3-.9-3.2L2.6 5.8z" />
    <path d="m7.3 4.8 2.4 3M12.4 3.4l2.4 3" />
  </Svg>
);
