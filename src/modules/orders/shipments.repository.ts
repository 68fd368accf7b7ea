import type { Selectable } from 'kysely';
import type { Executor, ShipmentsTable, Trx } from '../../db/database.js';

export type ShipmentRow = Selectable<ShipmentsTable>;

export async function insertShipment(
  trx: Trx,
  row: {
    order_id: number;
    carrier: string;
    tracking_number: string;
    tracking_url: string | null;
    created_at: string;
  },
): Promise<number> {
  const inserted = await trx.insertInto('shipments').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

export const shipmentsOfOrders = (db: Executor, orderIds: number[]): Promise<ShipmentRow[]> =>
  orderIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('shipments').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute();
