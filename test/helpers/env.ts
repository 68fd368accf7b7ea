/**
 * Which real services the suites run against. In CI a missing or unreachable PostgreSQL or Redis is
 * a failure; outside CI those suites are skipped with a printed reason.
 */
export type TestDialect = 'sqlite' | 'postgres';

export const inCi = () => process.env.CI === 'true' || process.env.CI === '1';
const printed = new Set<string>();

function missing(variable: string, what: string): void {
  if (inCi()) throw new Error(`${variable} must be set in CI: the ${what} suites cannot be skipped there`);
  if (!printed.has(variable)) {
    printed.add(variable);
    console.log(`# skipping ${what} suites: ${variable} is not set`);
  }
}

export function testDialects(): TestDialect[] {
  if (process.env.TEST_DATABASE_URL) return ['sqlite', 'postgres'];
  missing('TEST_DATABASE_URL', 'PostgreSQL');
  return ['sqlite'];
}

export function testPostgresUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) missing('TEST_DATABASE_URL', 'PostgreSQL');
  return url;
}

export function testRedisUrl(): string | undefined {
  const url = process.env.TEST_REDIS_URL;
  if (!url) missing('TEST_REDIS_URL', 'Redis');
  return url;
}
