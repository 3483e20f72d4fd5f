// `npm test`: build the web app (the browser tests serve it), then run every test file —
// unit and integration beside the code, end-to-end in tests/e2e — with Node's test runner.
import { spawnSync } from 'node:child_process';

const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const only = process.argv.slice(2);
if (!only.length || only.some((a) => a.includes('e2e'))) run('npm', ['run', 'build', '--workspace', 'web', '--silent']);
run(process.execPath, [
  '--test',
  '--test-concurrency=2',
  '--test-timeout=300000',
  ...(only.length ? only : ['contracts/src/**/*.test.ts', 'server/src/**/*.test.ts', 'tests/e2e/**/*.test.ts']),
]);
