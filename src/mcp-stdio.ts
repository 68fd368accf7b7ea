// `npm run mcp`: the MCP tools over stdio for a local client (Claude Desktop and the like).
// stdout carries the protocol only: every log line goes to stderr.

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import dotenv from 'dotenv';
import { ConfigError, loadConfig } from './config.js';
import { createContext } from './context.js';
import { setupDatabase } from './db/migrate.js';
import { AppError } from './lib/errors.js';
import { createMcpServer } from './modules/mcp/mcp.server.js';
import { createServices } from './services.js';

const log = (message: string) => process.stderr.write(`mercato-mcp: ${message}\n`);

dotenv.config({ quiet: true }); // dotenv otherwise announces itself on stdout
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  log(error.message);
  process.exit(1);
}

const ctx = createContext(config);
const { db } = ctx;
const report = await setupDatabase(db, config).catch(async (error: Error) => {
  log(`cannot prepare the database: ${error.message}`);
  await db.destroy().catch(() => {});
  process.exit(1);
});
if (report.generatedAdminPassword) {
  log(`created admin "${config.adminUsername}" with password ${report.generatedAdminPassword} (shown once)`);
}
const services = createServices(ctx);

// The same access tokens as the REST API. Checked now (a wrong token should fail loudly at start)
// and again on every request, so an expired, revoked or demoted session stops working at once.
const token = process.env.MERCATO_TOKEN?.trim() || undefined;
const identify = async () => (token ? services.auth.authenticate(token) : null);
try {
  const user = await identify();
  log(
    user ? `signed in as user ${user.id}${user.isAdmin ? ' (admin)' : ''}` : 'anonymous: catalog tools only',
  );
} catch (error) {
  if (!(error instanceof AppError)) throw error;
  log(`MERCATO_TOKEN was refused: ${error.message}`);
  await db.destroy();
  process.exit(1);
}

const server = createMcpServer({
  services,
  identify,
  log: { error: (details, message) => log(`${message} ${JSON.stringify(details, errorFields)}`) },
});

function errorFields(_key: string, value: unknown) {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await server.close();
  await db.destroy();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.stdin.on('end', shutdown); // the client went away

await server.connect(new StdioServerTransport());
