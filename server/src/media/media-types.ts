/** The subset of `ffprobe -show_streams` fields we read; everything else is kept raw. */
export type ProbeStream = {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  bit_rate?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number; [key: string]: unknown }>;
  [key: string]: unknown;
};

export type ProbeFormat = {
  format_name?: string;
  duration?: string;
  size?: string;
  bit_rate?: string;
  tags?: Record<string, string>;
  [key: string]: unknown;
};

/** Parsed `ffprobe -print_format json -show_format -show_streams` output. */
export type ProbeResult = { streams: ProbeStream[]; format: ProbeFormat };

/** What the rest of the pipeline needs to know about an accepted upload. */
export type MediaInfo = {
  /** Display size: sample aspect ratio applied and rotation metadata honoured. */
  width: number;
  height: number;
  durationMs: number;
  hasAudio: boolean;
  /** Source frame rate (average); 30 when the container does not say. */
  fps: number;
  videoCodec: string;
};

export type MediaTools = { ffmpeg: string; ffprobe: string };
