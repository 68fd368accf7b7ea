import type { Config } from '../config.js';
import { createDatabase } from './connect.js';
import { type SetupReport, setupDatabase } from './migrate.js';

/** Migrates and seeds (under the setup lock) on a connection of its own, and says what it did. */
export async function prepareDatabase(config: Config): Promise<SetupReport> {
  const db = createDatabase(config.database, { poolSize: 2 });
  try {
    const report = await setupDatabase(db, config);
    if (report.migrated.length > 0) console.log(`Applied migrations: ${report.migrated.join(', ')}`);
    if (report.generatedAdminPassword) {
      console.log(
        `Created admin "${config.adminUsername}" with password: ${report.generatedAdminPassword}\n` +
          '  (shown once; set ADMIN_PASSWORD to choose it, or run npm run create-admin to reset it)',
      );
    } else if (report.adminCreated) {
      console.log(`Created admin "${config.adminUsername}" from ADMIN_PASSWORD`);
    }
    return report;
  } finally {
    await db.destroy();
  }
}
