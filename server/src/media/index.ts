export * from './media-types.ts';
export * from './ffmpeg-binaries.ts';
export * from './media-runner.ts';
export * from './probe-rules.ts';
export * from './hls-ladder.ts';
export * from './demo-clips.ts';
