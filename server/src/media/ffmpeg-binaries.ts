import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type MediaToolsSource = 'env' | 'system' | 'npm';
export type FoundMediaTools = { ffmpeg: string; ffprobe: string; source: MediaToolsSource };

export class MediaToolsNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaToolsNotFoundError';
  }
}

type Tool = 'ffmpeg' | 'ffprobe';
const NPM_PACKAGES: Record<Tool, string> = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' };

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function searchPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function fromNpm(tool: Tool): string | undefined {
  try {
    // The installer packages are CommonJS and throw (a string, not an Error) on unsupported platforms.
    const mod = createRequire(import.meta.url)(NPM_PACKAGES[tool]) as { path?: unknown };
    return typeof mod.path === 'string' && isExecutable(mod.path) ? mod.path : undefined;
  } catch {
    return undefined;
  }
}

function resolveTool(tool: Tool, envValue: string | undefined, pathVar: string | undefined): { file: string; source: MediaToolsSource } {
  const envName = tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  if (envValue) {
    // An explicit setting that does not work is a misconfiguration: fail loudly rather than silently use another build.
    const file = envValue.includes(path.sep) ? envValue : searchPath(envValue, pathVar);
    if (file && isExecutable(file)) return { file, source: 'env' };
    throw new MediaToolsNotFoundError(`${envName}=${envValue} is not an executable file`);
  }
  const system = searchPath(tool, pathVar);
  if (system) return { file: system, source: 'system' };
  const npm = fromNpm(tool);
  if (npm) return { file: npm, source: 'npm' };
  throw new MediaToolsNotFoundError(`${tool} not found: set ${envName}, install ${tool} on PATH, or install ${NPM_PACKAGES[tool]}`);
}

/**
 * Locate ffmpeg and ffprobe: explicit env paths, then PATH, then the npm-shipped static builds.
 * Each tool is resolved on its own (so FFMPEG_PATH alone is fine); `source` reports where ffmpeg came from.
 * PATH is read from `env.PATH` when given, else from the process environment.
 */
export function findMediaTools(env: { FFMPEG_PATH?: string; FFPROBE_PATH?: string; PATH?: string }): FoundMediaTools {
  const pathVar = env.PATH ?? process.env.PATH;
  const ffmpeg = resolveTool('ffmpeg', env.FFMPEG_PATH, pathVar);
  const ffprobe = resolveTool('ffprobe', env.FFPROBE_PATH, pathVar);
  return { ffmpeg: ffmpeg.file, ffprobe: ffprobe.file, source: ffmpeg.source };
}
