import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';
import { enabledProviders } from '../src/modules/payments/providers/index.js';

const base = { NODE_ENV: 'test' };
const fails = (env: Record<string, string>, variable: string) =>
  assert.throws(
    () => loadConfig({ ...base, ...env }),
    (error: unknown) => error instanceof ConfigError && error.variable === variable,
    `${JSON.stringify(env)} names ${variable}`,
  );

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig(base);
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.database, { dialect: 'sqlite', filename: './data/mercato.db' });
    assert.equal(config.databasePoolSize, 10);
    assert.equal(config.accessTokenTtlSeconds, 15 * 60);
    assert.equal(config.refreshTokenTtlSeconds, 30 * 86_400);
    assert.equal(config.maxUploadBytes, 5 * 1024 * 1024);
    assert.equal(config.rateLimitMax, 600);
    assert.equal(config.authRateLimitMax, 20);
    assert.equal(config.webConcurrency, 1);
    assert.equal(config.deliveryDays, 7);
    assert.equal(config.adminUsername, 'admin');
    assert.deepEqual(config.corsOrigins, []);
    assert.deepEqual(config.webhooks, {
      allowPrivate: false,
      dispatch: true,
      pollIntervalMs: 1000,
      concurrency: 16,
      timeoutMs: 10_000,
    });
    assert.deepEqual(config.paymentProviders, ['manual', 'test']);
    assert.equal(config.paymentTimeoutSeconds, 30 * 60);
    assert.equal(config.paymentTestWebhookSecret, undefined);
  });

  it('enables only pay-later payments in production unless told otherwise', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
    assert.deepEqual(loadConfig(production).paymentProviders, ['manual']);
    assert.deepEqual(loadConfig({ ...production, PAYMENT_PROVIDERS: 'test, manual' }).paymentProviders, [
      'test',
      'manual',
    ]);
  });

  it('reads the payment settings: providers, webhook secret, timeout', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const config = loadConfig({ ...base, PAYMENT_TIMEOUT: '5s', PAYMENT_TEST_WEBHOOK_SECRET: secret });
    assert.equal(config.paymentTimeoutSeconds, 5);
    assert.equal(config.paymentTestWebhookSecret, secret);
    assert.deepEqual(
      enabledProviders(config).map((p) => p.name),
      ['manual', 'test'],
    );
    fails({ PAYMENT_TIMEOUT: '0s' }, 'PAYMENT_TIMEOUT');
    fails({ PAYMENT_TIMEOUT: '30' }, 'PAYMENT_TIMEOUT');
    fails({ PAYMENT_PROVIDERS: 'manual,manual' }, 'PAYMENT_PROVIDERS');
    fails({ PAYMENT_PROVIDERS: 'Manual' }, 'PAYMENT_PROVIDERS');
    fails({ PAYMENT_TEST_WEBHOOK_SECRET: 'secret' }, 'PAYMENT_TEST_WEBHOOK_SECRET');
    assert.throws(
      () => enabledProviders(loadConfig({ ...base, PAYMENT_PROVIDERS: 'manual,stripe' })),
      (error: unknown) => error instanceof ConfigError && /unknown provider "stripe"/.test(error.message),
    );
  });

  it('reads the webhook dispatcher knobs', () => {
    const config = loadConfig({
      ...base,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_DISPATCHER: 'false',
      WEBHOOK_POLL_INTERVAL: '250ms',
      WEBHOOK_CONCURRENCY: '4',
      WEBHOOK_TIMEOUT: '3s',
    });
    assert.deepEqual(config.webhooks, {
      allowPrivate: true,
      dispatch: false,
      pollIntervalMs: 250,
      concurrency: 4,
      timeoutMs: 3000,
    });
    fails({ WEBHOOK_ALLOW_PRIVATE: 'yes' }, 'WEBHOOK_ALLOW_PRIVATE');
    fails({ WEBHOOK_POLL_INTERVAL: 'soon' }, 'WEBHOOK_POLL_INTERVAL');
    fails({ WEBHOOK_CONCURRENCY: '0' }, 'WEBHOOK_CONCURRENCY');
    fails({ WEBHOOK_TIMEOUT: '0s' }, 'WEBHOOK_TIMEOUT');
  });

  it('parses URLs, durations and lists', () => {
    const config = loadConfig({
      ...base,
      DATABASE_URL: 'postgres://u:p@db:5432/shop',
      ACCESS_TOKEN_TTL: '30s',
      REFRESH_TOKEN_TTL: '2h',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      DATABASE_POOL_SIZE: '25',
    });
    assert.deepEqual(config.database, { dialect: 'postgres', url: 'postgres://u:p@db:5432/shop' });
    assert.equal(config.accessTokenTtlSeconds, 30);
    assert.equal(config.refreshTokenTtlSeconds, 7200);
    assert.deepEqual(config.corsOrigins, ['https://a.example', 'https://b.example']);
    assert.equal(config.databasePoolSize, 25);
  });

  it('refuses invalid values, naming the variable', () => {
    fails({ PORT: '70000' }, 'PORT');
    fails({ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL');
    fails({ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE');
    fails({ ACCESS_TOKEN_TTL: '15 minutes' }, 'ACCESS_TOKEN_TTL');
    fails({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
    fails({ REDIS_URL: 'localhost:6379' }, 'REDIS_URL');
    fails({ ADMIN_USERNAME: 'a b' }, 'ADMIN_USERNAME');
    fails({ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD');
    fails({ JWT_SECRET: 'too-short' }, 'JWT_SECRET');
    fails({ NODE_ENV: 'staging' }, 'NODE_ENV');
  });

  it('TRUST_PROXY: nobody by default, else true or the named proxies', () => {
    assert.equal(loadConfig(base).trustProxy, false);
    assert.equal(
      loadConfig({ ...base, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).trustProxy,
      false,
    );
    assert.equal(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy, true);
    assert.deepEqual(
      loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1, ::1, fd00::/8, loopback' }).trustProxy,
      ['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8', 'loopback'],
    );
    fails({ TRUST_PROXY: '2' }, 'TRUST_PROXY'); // Fastify would trust nobody: refused rather than ignored
    fails({ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY');
    fails({ TRUST_PROXY: 'proxy.internal' }, 'TRUST_PROXY');
  });

  it('DATABASE_DIRECT_URL: a postgres:// URL, only next to a PostgreSQL DATABASE_URL', () => {
    assert.equal(loadConfig(base).databaseDirectUrl, undefined);
    const config = loadConfig({
      ...base,
      DATABASE_URL: 'postgres://u:p@pgbouncer:6432/shop',
      DATABASE_DIRECT_URL: 'postgres://u:p@db:5432/shop',
    });
    assert.equal(config.databaseDirectUrl, 'postgres://u:p@db:5432/shop');
    fails({ DATABASE_URL: 'postgres://u:p@db/shop', DATABASE_DIRECT_URL: 'db:5432' }, 'DATABASE_DIRECT_URL');
    fails({ DATABASE_DIRECT_URL: 'postgres://u:p@db/shop' }, 'DATABASE_DIRECT_URL');
  });

  it('production needs a JWT secret of 32 bytes or more', () => {
    fails({ NODE_ENV: 'production' }, 'JWT_SECRET');
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) });
    assert.equal(config.jwtSecret, 'x'.repeat(32));
  });
});
