import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../../context.ts';
import { demoClipArgs, findFontFile } from '../../media/demo-clips.ts';
import { listFilters } from '../../media/media-runner.ts';
import { demoCatalog } from './catalog.ts';

const STATE_KEY = 'demo_seed';

function progressBar(done: number, total: number, label: string) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const line = `seeding demo catalog [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`;
  if (process.stderr.isTTY)
    process.stderr.write(`\r${line.padEnd(100).slice(0, process.stderr.columns ? process.stderr.columns - 1 : 100)}${done === total ? '\n' : ''}`);
  else if (done === total || done % 10 === 0) process.stderr.write(`${line}\n`);
}

/**
 * On first start with an empty database, make ~60 short clips with ffmpeg and push each through
 * the real upload pipeline (probe → queue → transcode). Resumes where it stopped if interrupted.
 */
export async function seedDemoCatalog(ctx: AppContext, opts: { seconds?: number; width?: number; height?: number; creators?: number } = {}) {
  const db = ctx.dbh.db;
  const state = await db.selectFrom('app_state').select('value').where('key', '=', STATE_KEY).executeTakeFirst();
  if (state?.value === 'done') return { created: 0, skipped: true };
  if (!state) {
    const users = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(users.n) > 0) return { created: 0, skipped: true }; // a real installation: never inject demo content
    await db
      .insertInto('app_state')
      .values({ key: STATE_KEY, value: 'running' })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const tools = ctx.media;
  const fontFile = findFontFile();
  const filters = await listFilters(ctx.mediaTools.ffmpeg).catch(() => undefined);
  const work = path.join(ctx.config.dataDir, 'tmp', 'seed');
  await fsp.mkdir(work, { recursive: true });
  const catalog = demoCatalog.slice(0, opts.creators ?? demoCatalog.length);
  const total = catalog.reduce((n, c) => n + c.clips.length, 0);
  let done = 0;
  let created = 0;
  // Interleave creators so the feed has variety from the first minute.
  const maxClips = Math.max(...catalog.map((c) => c.clips.length));
  const users = new Map<string, { id: string; username: string; roles: ['user']; isMinor: false }>();
  for (const c of catalog) {
    let u = await ctx.identity.byUsername(c.username);
    if (!u) {
      const { user } = await ctx.identity.signup(
        { username: c.username, password: crypto.randomBytes(18).toString('base64url'), birthdate: '1995-05-05', displayName: c.displayName },
        'demo-seed',
      );
      await ctx.identity.updateProfile(user.id, { bio: c.bio });
      u = await ctx.identity.byUsername(c.username);
    }
    users.set(c.username, { id: u!.id, username: u!.username, roles: ['user'], isMinor: false });
  }
  for (let i = 0; i < maxClips; i++) {
    for (const [ci, c] of catalog.entries()) {
      const clip = c.clips[i];
      if (!clip) continue;
      const user = users.get(c.username)!;
      const exists = await db.selectFrom('videos').select('id').where('user_id', '=', user.id).where('caption', '=', clip.caption).executeTakeFirst();
      if (!exists) {
        const file = path.join(work, `${c.username}-${i}.mp4`);
        await tools.run(
          demoClipArgs(
            file,
            {
              seconds: opts.seconds ?? 6 + ((ci + i) % 4),
              width: opts.width ?? 540,
              height: opts.height ?? 960,
              title: clip.title,
              subtitle: `@${c.username}`,
              pattern: c.pattern,
              color: c.color,
              toneHz: 220 + ((ci * 5 + i) % 12) * 55,
              fontFile,
            },
            filters,
          ),
        );
        await ctx.videos.ingestFile(user, file, { caption: clip.caption, visibility: 'public' });
        created++;
      }
      done++;
      progressBar(done, total, `@${c.username}`);
    }
  }
  await db.updateTable('app_state').set({ value: 'done', updated_at: new Date() }).where('key', '=', STATE_KEY).execute();
  await fsp.rm(work, { recursive: true, force: true });
  return { created, skipped: false };
}
