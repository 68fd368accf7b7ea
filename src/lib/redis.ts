import { Redis } from 'ioredis';

/** How long a Redis command may take before the caller falls back (rate limits: per-process counters). */
export const REDIS_COMMAND_TIMEOUT_MS = 200;
const STARTUP_WAIT_MS = 2000;

/**
 * A Redis client that never makes a request wait for Redis: commands sent while it is disconnected
 * fail at once (no offline queue) instead of queuing until it reconnects, a command in flight when
 * the connection drops is not retried, and a command that gets no answer fails after
 * REDIS_COMMAND_TIMEOUT_MS. It reconnects in the background, forever. Resolves once connected, or
 * after a short wait when Redis is down at start: the app starts anyway and serves without it.
 */
export async function connectRedis(url: string, onError: (error: Error) => void): Promise<Redis> {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    enableAutoPipelining: true,
  });
  let lastError = '';
  redis.on('error', (error: Error) => {
    // One line per kind of failure, not one per reconnection attempt.
    if (error.message === lastError) return;
    lastError = error.message;
    onError(error);
  });
  redis.on('ready', () => {
    lastError = '';
  });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, STARTUP_WAIT_MS);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return redis;
}

/** 'up' when Redis answers a PING within the command timeout. */
export async function redisStatus(redis: Redis): Promise<'up' | 'down'> {
  try {
    await redis.ping();
    return 'up';
  } catch {
    return 'down';
  }
}
