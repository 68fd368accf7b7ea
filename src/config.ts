import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';

export type DatabaseUrl = { dialect: 'sqlite'; filename: string } | { dialect: 'postgres'; url: string };

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseUrl;
  /** PostgreSQL connections per app process. */
  readonly databasePoolSize: number;
  /**
   * A PostgreSQL URL that gives a session of its own (not through a transaction-mode pooler), for
   * LISTEN and advisory locks; DATABASE_URL serves for both when unset.
   */
  readonly databaseDirectUrl: string | undefined;
  /** Fastify's trustProxy: whose X-Forwarded-For is believed (false: nobody's, true: anyone's). */
  readonly trustProxy: boolean | readonly string[];
  readonly jwtSecret: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly adminUsername: string;
  readonly adminPassword: string | undefined;
  readonly uploadDir: string;
  readonly maxUploadBytes: number;
  readonly redisUrl: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly logLevel: string;
  readonly rateLimitMax: number;
  readonly authRateLimitMax: number;
  readonly webConcurrency: number;
  readonly deliveryDays: number;
  /** Users whose session check an HTTP process keeps in memory; 0 reads the database on every request. */
  readonly sessionCacheSize: number;
  /** MB of signed-in answers (carts; orders) an HTTP process keeps of each kind; 0 keeps none. */
  readonly answerCacheMb: number;
  /** ISO 4217 code of every amount the shop reports (prices are in this currency's cents). */
  readonly currency: string;
  /** Enabled payment providers by name; the first is the default for a checkout that names none. */
  readonly paymentProviders: readonly string[];
  /** The Standard Webhooks secret (whsec_…) the `test` provider signs its webhooks with. */
  readonly paymentTestWebhookSecret: string | undefined;
  /** How long an order may stay awaiting_payment before it is cancelled and its stock returned. */
  readonly paymentTimeoutSeconds: number;
  readonly webhooks: WebhookConfig;
}

/** The webhook dispatcher's knobs (README: Webhooks). */
export interface WebhookConfig {
  /** Deliver to loopback, private, link-local and other non-public addresses (tests, intranets). */
  readonly allowPrivate: boolean;
  /** Whether this app process runs a dispatcher (false: leave it to `npm run worker`). */
  readonly dispatch: boolean;
  /** How often an idle dispatcher looks for due deliveries. */
  readonly pollIntervalMs: number;
  /** Deliveries in flight at once per process. */
  readonly concurrency: number;
  /** A receiver's time to answer; a claim on a delivery lasts three times this. */
  readonly timeoutMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
  }
}

/** A refused configuration (at load, or by what the database turns out to be) stops the process with its message. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

type Env = Record<string, string | undefined>;

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(name, `must be true or false, got "${raw}"`);
  return raw === 'true';
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function duration(env: Env, name: string, fallback: string): number {
  const raw = env[name] || fallback;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(raw);
  if (!match || Number(match[1]) === 0) {
    throw new ConfigError(name, `must be a duration such as 15m, 12h or 30d, got "${raw}"`);
  }
  return Number(match[1]) * DURATION_UNITS[match[2]!]!;
}

export function parseDatabaseUrl(raw: string, variable = 'DATABASE_URL'): DatabaseUrl {
  if (raw.startsWith('sqlite:')) {
    const filename = raw.slice('sqlite:'.length);
    if (!filename) throw new ConfigError(variable, 'needs a file name after sqlite: (or :memory:)');
    return { dialect: 'sqlite', filename };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) return { dialect: 'postgres', url: raw };
  throw new ConfigError(variable, `must start with sqlite: or postgres://, got "${raw}"`);
}

const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

function proxyAddress(item: string): boolean {
  if (PROXY_RANGES.includes(item)) return true;
  const [address = '', prefix, extra] = item.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** TRUST_PROXY: off by default, so a client reaching the app directly cannot choose its own IP. */
function trustProxy(env: Env): Config['trustProxy'] {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) {
    // Fastify 5 turns a hop count into "trust nobody" (it cannot check the immediate peer).
    throw new ConfigError('TRUST_PROXY', 'must name the proxies (addresses or CIDRs), not a hop count');
  }
  const items = raw.split(',').map((item) => item.trim());
  const bad = items.find((item) => !proxyAddress(item));
  if (bad !== undefined) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must be true or comma-separated addresses/CIDRs (or loopback, linklocal, uniquelocal); "${bad}" is none of these`,
    );
  }
  return items;
}

/**
 * Outside production a missing JWT secret is generated once and kept next to the data, so a
 * restart keeps everyone's sessions; production must be given one.
 */
function jwtSecret(env: Env, nodeEnv: Config['env'], dataDir: string): string {
  const given = env.JWT_SECRET;
  if (given) {
    if (Buffer.byteLength(given) < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 bytes long');
    return given;
  }
  if (nodeEnv === 'production')
    throw new ConfigError('JWT_SECRET', 'is required in production (32 bytes or more)');
  if (nodeEnv === 'test') return randomBytes(32).toString('hex');
  const file = join(dataDir, '.jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function paymentProviders(env: Env, nodeEnv: Config['env']): string[] {
  const raw = env.PAYMENT_PROVIDERS || (nodeEnv === 'production' ? 'manual' : 'manual,test');
  const names = raw.split(',').map((name) => name.trim());
  if (names.some((name) => !/^[a-z][a-z0-9_]*$/.test(name)) || new Set(names).size !== names.length) {
    throw new ConfigError(
      'PAYMENT_PROVIDERS',
      `must be distinct provider names separated by commas, got "${raw}"`,
    );
  }
  return names;
}

function webhookSecret(env: Env, name: string): string | undefined {
  const raw = env[name] || undefined;
  if (raw !== undefined && !/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/.test(raw)) {
    throw new ConfigError(name, 'must be whsec_ followed by the base64 of 24 or more random bytes');
  }
  return raw;
}

/** Where a session of its own is opened (LISTEN, advisory locks): DATABASE_DIRECT_URL or DATABASE_URL. */
export function sessionUrlOf(config: Pick<Config, 'database' | 'databaseDirectUrl'>): string | undefined {
  if (config.database.dialect !== 'postgres') return undefined;
  return config.databaseDirectUrl ?? config.database.url;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = (env.NODE_ENV || 'development') as Config['env'];
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    throw new ConfigError('NODE_ENV', `must be development, production or test, got "${nodeEnv}"`);
  }
  const database = parseDatabaseUrl(env.DATABASE_URL || 'sqlite:./data/mercato.db');
  const dataDir =
    database.dialect === 'sqlite' && database.filename !== ':memory:' ? dirname(database.filename) : './data';
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const adminPassword = env.ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && (adminPassword.length < 8 || adminPassword.length > 128)) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be 8 to 128 characters');
  }
  const adminUsername = env.ADMIN_USERNAME || 'admin';
  if (!/^[A-Za-z0-9_.-]{3,80}$/.test(adminUsername)) {
    throw new ConfigError('ADMIN_USERNAME', 'must be 3-80 characters of letters, digits, _ . -');
  }
  const currency = env.CURRENCY || 'USD';
  if (!/^[A-Z]{3}$/.test(currency))
    throw new ConfigError('CURRENCY', `must be an ISO 4217 code such as USD or EUR, got "${currency}"`);
  const databaseDirectUrl = env.DATABASE_DIRECT_URL || undefined;
  if (databaseDirectUrl !== undefined) {
    if (database.dialect !== 'postgres')
      throw new ConfigError('DATABASE_DIRECT_URL', 'applies only when DATABASE_URL is a postgres:// URL');
    if (parseDatabaseUrl(databaseDirectUrl, 'DATABASE_DIRECT_URL').dialect !== 'postgres')
      throw new ConfigError('DATABASE_DIRECT_URL', 'must be a postgres:// URL');
  }
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError('REDIS_URL', 'must start with redis://');

  return Object.freeze({
    env: nodeEnv,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    database,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    databaseDirectUrl,
    trustProxy: trustProxy(env),
    jwtSecret: jwtSecret(env, nodeEnv, dataDir),
    accessTokenTtlSeconds: duration(env, 'ACCESS_TOKEN_TTL', '15m'),
    refreshTokenTtlSeconds: duration(env, 'REFRESH_TOKEN_TTL', '30d'),
    adminUsername,
    adminPassword,
    uploadDir: env.UPLOAD_DIR || join(dataDir, 'uploads'),
    maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', 5 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    redisUrl,
    corsOrigins: (env.CORS_ORIGINS || '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    logLevel,
    rateLimitMax: integer(env, 'RATE_LIMIT_MAX', 600, 1, 10_000_000),
    authRateLimitMax: integer(env, 'AUTH_RATE_LIMIT_MAX', 20, 1, 10_000_000),
    webConcurrency: integer(env, 'WEB_CONCURRENCY', 1, 1, 64),
    deliveryDays: integer(env, 'DELIVERY_DAYS', 7, 0, 365),
    sessionCacheSize: integer(env, 'SESSION_CACHE_SIZE', 10_000, 0, 10_000_000),
    answerCacheMb: integer(env, 'ANSWER_CACHE_MB', 8, 0, 4096),
    currency,
    paymentProviders: paymentProviders(env, nodeEnv),
    paymentTestWebhookSecret: webhookSecret(env, 'PAYMENT_TEST_WEBHOOK_SECRET'),
    paymentTimeoutSeconds: duration(env, 'PAYMENT_TIMEOUT', '30m'),
    webhooks: Object.freeze({
      allowPrivate: boolean(env, 'WEBHOOK_ALLOW_PRIVATE', false),
      dispatch: boolean(env, 'WEBHOOK_DISPATCHER', true),
      pollIntervalMs: duration(env, 'WEBHOOK_POLL_INTERVAL', '1s') * 1000,
      concurrency: integer(env, 'WEBHOOK_CONCURRENCY', 16, 1, 1000),
      timeoutMs: duration(env, 'WEBHOOK_TIMEOUT', '10s') * 1000,
    }),
  });
}
