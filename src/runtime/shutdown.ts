import type { FastifyBaseLogger } from 'fastify';

/** Longest a graceful stop may take (in-flight uploads included) before the process gives up; under the usual 30 s a supervisor waits before SIGKILL. */
export const SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * SIGTERM or SIGINT closes the server gracefully (stop accepting, finish in-flight requests,
 * close the database) and exits 0. The signal often arrives twice — sent to the process group
 * and forwarded by `npm start` — so a repeated signal while closing is logged and ignored:
 * it must not turn a clean stop into a failure. An error nobody caught closes the same way,
 * exiting 1 (the cluster primary or the supervisor starts a fresh process).
 */
export function closeOnSignals(
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error' | 'fatal'>,
  close: () => Promise<void>,
): void {
  let closing = false;
  const shutdown = (reason: string, exitCode: number) => {
    if (closing) {
      log.warn({ reason }, 'already shutting down');
      return;
    }
    closing = true;
    log.info({ reason }, 'shutting down');
    setTimeout(() => {
      log.error(`still closing after ${SHUTDOWN_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    close().then(
      () => process.exit(exitCode),
      (err: unknown) => {
        log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => shutdown(signal, 0));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    shutdown('uncaughtException', 1);
  });
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection');
    shutdown('unhandledRejection', 1);
  });
}
