import path from 'node:path';
import type { MediaRunner } from '../media/media-runner.ts';
import { testClipArgs } from '../media/demo-clips.ts';

/** Make a real H.264/AAC test clip with ffmpeg (lavfi test pattern + tone). */
export async function makeClip(media: MediaRunner, dir: string, spec: { seconds: number; width: number; height: number; withAudio?: boolean; name?: string }) {
  const file = path.join(dir, spec.name ?? `clip-${spec.width}x${spec.height}-${spec.seconds}s.mp4`);
  await media.run(testClipArgs(file, { seconds: spec.seconds, width: spec.width, height: spec.height, withAudio: spec.withAudio ?? true }));
  return file;
}
