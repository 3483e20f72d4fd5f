import { loadConfig, ConfigError } from './config/env.ts';
import { createContext } from './context.ts';
import { createServer, startWorker } from './server.ts';
import { seedDemoCatalog } from './modules/demo/seed.ts';
import { MediaToolsNotFoundError } from './media/ffmpeg-binaries.ts';

async function main() {
  const config = loadConfig();
  const ctx = await createContext(config);
  const { log } = ctx;
  log.info({ engine: ctx.dbh.engine, role: config.role, media: ctx.mediaTools.source, dataDir: config.dataDir }, 'starting Flick');

  if (config.adminBootstrap) {
    const admin = await ctx.identity.ensureAdmin(config.adminBootstrap.username, config.adminBootstrap.password);
    log.info({ username: admin.username }, 'admin account ready (ADMIN_BOOTSTRAP)');
  }

  const app = config.role === 'worker' ? undefined : await createServer(ctx);
  if (config.role !== 'api') await startWorker(ctx);
  if (app) {
    await app.listen({ port: config.port, host: config.host });
    log.info(`Flick is up: ${config.publicUrl}`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing requests and the job in hand');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    try {
      await app?.close();
      await ctx.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  if (config.seedDemo && config.role !== 'worker') {
    seedDemoCatalog(ctx).then(
      (r) => {
        if (!r.skipped) log.info({ clips: r.created }, 'demo catalog seeded');
      },
      (err: unknown) => log.error({ err }, 'demo seeding failed (the server keeps running)'),
    );
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof MediaToolsNotFoundError) {
    console.error(`flick: ${err.message}`);
  } else {
    console.error('flick: failed to start:', err);
  }
  process.exit(1);
});
