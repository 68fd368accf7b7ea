import { invalidField } from '../../../lib/errors.js';
import type { OperationResult, PaymentInput, PaymentProvider } from '../payment-provider.js';

const done: OperationResult = { ok: true, reference: null };

/**
 * Pay later (bank transfer, cash on delivery): no money moves through Mercato at checkout. The
 * order is pending and unpaid until an admin records the money with a capture.
 */
export function manualProvider(): PaymentProvider {
  return {
    name: 'manual',
    description: 'Pay later (bank transfer, cash on delivery); an admin records the payment',
    fields: [],
    payLater: true,
    webhooks: false,
    validate(input: PaymentInput) {
      if (input.token !== undefined)
        throw invalidField('/payment/token', 'is not used by the manual provider');
    },
    authorize: async () => ({ outcome: 'pay_later', reference: null }),
    capture: async () => done,
    refund: async () => done,
    void: async () => done,
    status: async () => 'pending',
    parseWebhook() {
      throw new Error('the manual provider sends no webhooks');
    },
  };
}
