import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../../context.js';
import type { PaymentsService } from './payments.service.js';

/**
 * The payments' background work, in every app process: cancel orders left awaiting_payment past
 * PAYMENT_TIMEOUT (their stock returns), and apply stored webhooks whose payment has appeared.
 * Runs once at start (orders that expired while no process ran) and then every fifth of the
 * timeout (1 s to 1 min). Several processes may run it at once: every change is conditional.
 */
export function startPaymentJobs(ctx: AppContext, payments: PaymentsService, log: FastifyBaseLogger) {
  const period = Math.min(60_000, Math.max(1_000, (ctx.config.paymentTimeoutSeconds * 1000) / 5));
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const tick = () => {
    running = (async () => {
      try {
        const expired = await payments.expireOverdue();
        if (expired > 0) log.info({ expired }, 'cancelled orders whose payment timed out');
        await payments.applyStoredWebhooks();
      } catch (err) {
        // A database outage must not take the process down; the next tick tries again.
        log.error({ err }, 'payment jobs failed');
      }
    })();
  };

  // After the current synchronous setup, so the app (and its database) is fully built.
  const first = setImmediate(() => {
    if (!stopped) tick();
  });
  const timer = setInterval(() => {
    if (!stopped) tick();
  }, period);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearImmediate(first);
      clearInterval(timer);
      await running;
    },
  };
}
