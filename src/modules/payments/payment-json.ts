import type { Executor } from '../../db/database.js';
import { toAmount } from '../../lib/money.js';
import { ledgerTotals, type PaymentRow, paymentsOfOrders } from './payments.repository.js';
import type { Payment } from './payments.schemas.js';

/**
 * The Payment JSON of each order that has one, read through `executor`: a transaction can
 * describe what it is about to commit (the order JSON of an event).
 */
export async function paymentsOfOrdersJson(
  executor: Executor,
  orderIds: number[],
): Promise<Map<number, Payment>> {
  const rows = await paymentsOfOrders(executor, orderIds);
  const totals = await ledgerTotals(
    executor,
    rows.map((r) => r.id),
  );
  return new Map(
    rows.map((row) => [row.order_id, paymentJson(row, totals.get(row.id) ?? { captured: 0, refunded: 0 })]),
  );
}

/** A payment's JSON from its row and the money its ledger shows captured and refunded (cents). */
export function paymentJson(row: PaymentRow, total: { captured: number; refunded: number }): Payment {
  return {
    id: row.id,
    provider: row.provider,
    status: row.status,
    amount: toAmount(row.amount_cents),
    amount_captured: toAmount(total.captured),
    amount_refunded: toAmount(total.refunded),
    provider_reference: row.provider_reference,
    next_action:
      row.status === 'requires_action' && row.next_action_url
        ? { type: 'confirm', url: row.next_action_url }
        : null,
    created_at: row.created_at,
  };
}
