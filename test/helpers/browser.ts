import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { ADMIN_BUILD_DIR } from '../../src/plugins/admin-app.js';

export const CHROMIUM = '/usr/bin/chromium';
const inCi = () => process.env.CI === 'true' || process.env.CI === '1';

/** Why browser suites cannot run here, or undefined when they can. In CI a missing browser is a failure. */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (inCi())
    throw new Error(`${CHROMIUM} is missing: CI must install chromium (apt) for the admin app suites`);
  const reason = `${CHROMIUM} is not installed (apt-get install chromium)`;
  console.log(`# skipping browser suites: ${reason}`);
  return reason;
}

function newestMtime(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    }),
  );
}

/** The tests drive the built app, as `npm start` serves it: build it when missing or older than its sources. */
export function ensureAdminBuild(): void {
  const index = join(ADMIN_BUILD_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime('admin')) return;
  const result = spawnSync('npm', ['run', '--silent', 'build:admin'], {
    stdio: 'inherit',
    // The test runner's NODE_ENV=test would give React's development build; test what ships.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error('npm run build:admin failed');
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's chromium, headless, on a fresh profile that is removed afterwards. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'mercato-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a page did wrong: console errors, uncaught exceptions and requests to any other origin. */
export function watchPage(page: Page, origin: string) {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught on ${page.url()}: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      problems.push(`request to another origin: ${url}`);
    }
  });
  return problems;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations of impact "critical" on the page as it is now. axe is evaluated through
 * the DevTools protocol rather than added as a <script>: the app's CSP (script-src 'self')
 * rightly refuses an inline script, and the test must not weaken it.
 */
export async function criticalViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: {
          run(): Promise<{
            violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }>;
          }>;
        };
      }
    ).axe.run();
    return result.violations
      .filter((v) => v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
  return violations;
}
