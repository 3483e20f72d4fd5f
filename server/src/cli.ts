// Operator commands: `npm run admin -- <command>`.
//   create-admin <username> [password]   create the first admin, or promote an existing account
//   grant <username> <role...>            add roles (user, advertiser, moderator, support, admin)
import { Role } from '@flick/contracts';
import { loadConfig } from './config/env.ts';
import { createContext } from './context.ts';

const [cmd, username, ...rest] = process.argv.slice(2);
const usage = 'usage: npm run admin -- create-admin <username> [password] | grant <username> <role...>';
if (!cmd || !username) {
  console.error(usage);
  process.exit(2);
}
const ctx = await createContext(loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }));
try {
  if (cmd === 'create-admin') {
    const me = await ctx.identity.ensureAdmin(username, rest[0]);
    console.log(`${me.username} is now an admin (roles: ${me.roles.join(', ')})`);
  } else if (cmd === 'grant') {
    const roles = rest.map((r) => Role.parse(r));
    const user = await ctx.identity.byUsername(username);
    if (!user) throw new Error(`no user named ${username}`);
    const me = await ctx.identity.grantRoles({ id: 'cli', username: 'cli', roles: ['admin'], isMinor: false }, username, roles);
    console.log(`${me.username}: ${me.roles.join(', ')}`);
  } else {
    console.error(usage);
    process.exitCode = 2;
  }
} catch (err) {
  console.error(`flick admin: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await ctx.close();
}
