import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { TestApp } from './app.js';

/** A write by "another process": a connection the app knows nothing about. */
export async function writeBehindTheAppsBack(t: TestApp, statement: string): Promise<void> {
  if (t.dialect === 'postgres') {
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    await client.query(statement);
    await client.end();
  } else {
    const other = new SQLite(t.databaseUrl.slice('sqlite:'.length));
    other.pragma('busy_timeout = 5000');
    other.exec(statement);
    other.close();
  }
}
