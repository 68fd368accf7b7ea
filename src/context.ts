import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { DialectName } from './db/connect.js';
import type { Db } from './db/database.js';
import type { Clock } from './lib/clock.js';
import type { Storage } from './modules/media/storage.js';

/** What every service is built from: the shared state of one app process. */
export interface AppContext {
  readonly config: Config;
  readonly db: Db;
  readonly dialect: DialectName;
  readonly clock: Clock;
  readonly storage: Storage;
  /** Shared rate-limit counters, when REDIS_URL is set. */
  readonly redis?: Redis;
}
