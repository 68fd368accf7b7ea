import 'dotenv/config';
import { loadConfig } from '../config.js';
import { createDatabase } from './connect.js';
import { setupDatabase } from './migrate.js';

// `npm run migrate`: the same locked migrate-and-seed the server runs at start.
const config = loadConfig();
const db = createDatabase(config.database, { poolSize: 2 });
try {
  const report = await setupDatabase(db, config);
  console.log(report.migrated.length > 0 ? `Applied: ${report.migrated.join(', ')}` : 'Schema is up to date');
  if (report.generatedAdminPassword) {
    console.log(`Created admin "${config.adminUsername}" with password: ${report.generatedAdminPassword}`);
  }
} finally {
  await db.destroy();
}
