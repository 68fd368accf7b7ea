import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ADMIN_PASSWORD } from './databases.js';

/** The app's environment in a bench: production, quiet logs, no rate limit in the way of the load. */
export function serverEnv(databaseUrl: string, dir: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATABASE_URL: databaseUrl,
    ADMIN_PASSWORD,
    // The checkout scenario also pays with the test provider's card.
    PAYMENT_PROVIDERS: 'manual,test',
    UPLOAD_DIR: join(dir, 'uploads'),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '10000000',
    AUTH_RATE_LIMIT_MAX: '10000000',
  };
}
