import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { asServiceUser, freePort, PGBOUNCER_BINARY, serviceDir, waitFor } from './services.js';

export interface PgBouncer {
  /** postgres://postgres@127.0.0.1:<port>/<database> through the pooler. */
  url(database: string): string;
  close(): Promise<void>;
}

/** PgBouncer in transaction mode (the usual production setting) in front of `postgresPort`. */
export async function startPgBouncer(postgresPort: number): Promise<PgBouncer> {
  const dir = await serviceDir('mercato-pgbouncer-');
  const port = await freePort();
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=127.0.0.1 port=${postgresPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'default_pool_size = 10',
      'max_client_conn = 200',
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      `logfile = ${join(dir, 'pgbouncer.log')}`,
    ].join('\n'),
  );
  const [cmd, argv] = asServiceUser(PGBOUNCER_BINARY, [join(dir, 'pgbouncer.ini')]);
  const proc = spawn(cmd, argv, { stdio: 'ignore' });
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  await waitFor('PgBouncer', async () => {
    const client = new pg.Client({ connectionString: url('postgres') });
    client.on('error', () => {});
    await client.connect();
    await client.query('select 1');
    await client.end();
    return true;
  });
  return {
    url,
    async close() {
      if (proc.exitCode === null) {
        // Signalled directly: runuser, its parent here, relays a signal only after a delay.
        const pid = Number(readFileSync(join(dir, 'pgbouncer.pid'), 'utf8'));
        process.kill(pid, 'SIGTERM');
        await Promise.race([once(proc, 'exit'), sleep(5000)]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
