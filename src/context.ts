import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { createDatabase, type DialectName, dialectOf } from './db/connect.js';
import type { Db } from './db/database.js';
import { type Clock, systemClock } from './lib/clock.js';
import { LocalDiskStorage, type Storage } from './modules/media/storage.js';

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

export interface ContextOptions {
  /** An existing database (tests share one per file); otherwise opened from config. */
  db?: Db;
  clock?: Clock;
  storage?: Storage;
  /** Shared rate-limit counters (HTTP processes with REDIS_URL). */
  redis?: Redis;
  /** Told about database connection errors the pool survives (a server restart), to log them. */
  onConnectionError?: (error: Error) => void;
}

/**
 * The one way a process builds its context, whether it serves HTTP (buildApp, with MCP at /mcp) or
 * MCP over stdio: the same database, clock and storage choices from the same configuration.
 */
export function createContext(config: Config, options: ContextOptions = {}): AppContext {
  const db =
    options.db ??
    createDatabase(config.database, {
      poolSize: config.databasePoolSize,
      ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
    });
  return {
    config,
    db,
    dialect: dialectOf(db),
    clock: options.clock ?? systemClock,
    storage: options.storage ?? new LocalDiskStorage(config.uploadDir),
    ...(options.redis ? { redis: options.redis } : {}),
  };
}
