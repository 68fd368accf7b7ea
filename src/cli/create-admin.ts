import 'dotenv/config';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/connect.js';
import { setupDatabase } from '../db/migrate.js';
import { deleteRefreshTokensOf } from '../modules/auth/auth.repository.js';
import { hashPassword } from '../modules/auth/password.js';
import { findUserByUsername, insertUser, updateUser } from '../modules/users/users.repository.js';

// `npm run create-admin -- --username boss [--password ...]`: makes an admin, or resets an
// existing user's password and makes it admin. Without --password (or ADMIN_PASSWORD) a random
// one is generated and printed once. Existing sessions of that user end.
const { values } = parseArgs({
  options: { username: { type: 'string' }, password: { type: 'string' } },
});
const config = loadConfig();
const username = values.username ?? config.adminUsername;
const password = values.password ?? config.adminPassword ?? randomBytes(12).toString('base64url');
if (!/^[A-Za-z0-9_.-]{3,80}$/.test(username)) throw new Error('username: 3-80 of A-Z a-z 0-9 _ . -');
if (password.length < 8 || password.length > 128) throw new Error('password: 8 to 128 characters');

const db = createDatabase(config.database, { poolSize: 2 });
try {
  await setupDatabase(db, config);
  const now = new Date().toISOString();
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    const existing = await findUserByUsername(trx, username);
    if (existing) {
      await updateUser(trx, existing.id, {
        password_hash: passwordHash,
        is_admin: 1,
        token_version: existing.token_version + 1,
        updated_at: now,
      });
      await deleteRefreshTokensOf(trx, existing.id);
    } else {
      await insertUser(trx, {
        username,
        username_key: username.toLowerCase(),
        password_hash: passwordHash,
        is_admin: 1,
        created_at: now,
        updated_at: now,
      });
    }
  });
  console.log(
    `Admin "${username}" is ready.${values.password || config.adminPassword ? '' : ` Password: ${password}`}`,
  );
} finally {
  await db.destroy();
}
