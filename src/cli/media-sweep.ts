import 'dotenv/config';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/connect.js';
import { sweepOrphanFiles } from '../modules/media/media.sweep.js';
import { LocalDiskStorage } from '../modules/media/storage.js';

// `npm run media:sweep [-- --grace-minutes 60]`: removes image files under UPLOAD_DIR that no
// database row references and that are older than the grace period (left by a crash between
// writing an upload's files and committing its row). Safe to run while the server is up.
const { values } = parseArgs({ options: { 'grace-minutes': { type: 'string', default: '60' } } });
const minutes = Number(values['grace-minutes']);
if (!Number.isInteger(minutes) || minutes < 5) throw new Error('--grace-minutes: a whole number, at least 5');

const config = loadConfig();
const db = createDatabase(config.database, { poolSize: 2 });
try {
  const storage = new LocalDiskStorage(config.uploadDir);
  const { checked, removed } = await sweepOrphanFiles(db, storage, new Date(), minutes * 60_000);
  for (const key of removed) console.log(`removed ${key}`);
  console.log(`checked ${checked} files in ${config.uploadDir}, removed ${removed.length} orphans`);
} finally {
  await db.destroy();
}
