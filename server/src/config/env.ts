import path from 'node:path';
import { z } from 'zod';

/** Thrown when an environment variable is unusable; the message is one line naming it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  SEED_DEMO: z
    .enum(['0', '1', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FFMPEG_PATH: z.string().optional(),
  FFPROBE_PATH: z.string().optional(),
  /** `username:password` — creates (or promotes) the first admin on start. */
  ADMIN_BOOTSTRAP: z
    .string()
    .regex(/^[A-Za-z0-9_.]{3,24}:.{8,}$/, 'must be username:password (password ≥ 8 characters)')
    .optional(),
  /** Public origin used in absolute links; defaults to http://localhost:PORT. */
  PUBLIC_URL: z.string().url().optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(10_000).default(1024),
  NODE_ENV: z.string().default('development'),
  /** How long a signed-in session is answered from memory (ms; 0 = look it up on every request). See identity.service.ts. */
  SESSION_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  /** Stripe instead of the embedded sandbox payment provider: both or neither. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_test_…, sk_live_…)')
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\w+$/, 'must be a Stripe webhook signing secret (whsec_…)')
    .optional(),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  role: 'all' | 'api' | 'worker';
  seedDemo: boolean;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  adminBootstrap: { username: string; password: string } | undefined;
  publicUrl: string;
  workerConcurrency: number;
  maxUploadBytes: number;
  production: boolean;
  sessionCacheMs: number;
  /** Set: payments go through Stripe (webhooks at /api/payments/webhooks/stripe); unset: the sandbox provider. */
  stripe: { secretKey: string; webhookSecret: string } | undefined;
};

/** The only reader of process.env. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(Object.keys(Env.shape).map((k) => [k, source[k] === '' ? undefined : source[k]]));
  const parsed = Env.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  if (!e.STRIPE_SECRET_KEY !== !e.STRIPE_WEBHOOK_SECRET)
    throw new ConfigError(
      `invalid environment variable ${e.STRIPE_SECRET_KEY ? 'STRIPE_WEBHOOK_SECRET' : 'STRIPE_SECRET_KEY'}: Stripe needs both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET`,
    );
  const [adminUser, ...rest] = e.ADMIN_BOOTSTRAP?.split(':') ?? [];
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    role: e.ROLE,
    seedDemo: e.SEED_DEMO,
    logLevel: e.LOG_LEVEL,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    adminBootstrap: adminUser ? { username: adminUser, password: rest.join(':') } : undefined,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    workerConcurrency: e.WORKER_CONCURRENCY,
    maxUploadBytes: e.MAX_UPLOAD_MB * 1024 * 1024,
    production: e.NODE_ENV === 'production',
    sessionCacheMs: e.SESSION_CACHE_MS,
    stripe: e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET ? { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET } : undefined,
  };
}
