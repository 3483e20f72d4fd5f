import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from './env.ts';

test('defaults give an embedded, single-process setup', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.role, 'all');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.seedDemo, true);
});

test('a bad value stops start-up with one line naming the variable', () => {
  assert.throws(
    () => loadConfig({ PORT: 'abc' }),
    (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message) && !e.message.includes('\n'),
  );
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ ROLE: 'boss' }), /ROLE/);
  assert.throws(() => loadConfig({ SEED_DEMO: 'maybe' }), /SEED_DEMO/);
});

test('admin bootstrap splits on the first colon', () => {
  assert.deepEqual(loadConfig({ ADMIN_BOOTSTRAP: 'root:pa:ss:word' }).adminBootstrap, { username: 'root', password: 'pa:ss:word' });
});

test('Stripe replaces the sandbox only with both of its secrets, each checked', () => {
  assert.equal(loadConfig({}).stripe, undefined);
  const c = loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc123', STRIPE_WEBHOOK_SECRET: 'whsec_def456' });
  assert.deepEqual(c.stripe, { secretKey: 'sk_test_abc123', webhookSecret: 'whsec_def456' });
  assert.throws(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc123' }), /STRIPE_WEBHOOK_SECRET/);
  assert.throws(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_def456' }), /STRIPE_SECRET_KEY/);
  assert.throws(() => loadConfig({ STRIPE_SECRET_KEY: 'pk_test_public', STRIPE_WEBHOOK_SECRET: 'whsec_def456' }), /STRIPE_SECRET_KEY/);
});
