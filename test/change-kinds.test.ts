import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../src/db/database.js';
import { kindsWritten } from '../src/plugins/catalog-cache/tracked-driver.js';

/** Which narrower versions a write moves: only a stock-only variant update leaves product copies valid. */
describe('change kinds', () => {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });

  it('a variant update setting only stock is a stock change', () => {
    const node = db.updateTable('product_variants').set({ stock: 3 }).where('id', '=', 1).toOperationNode();
    assert.deepEqual(kindsWritten(node), ['catalog', 'stock']);
  });

  it('a variant update setting anything else too changes what products show', () => {
    const node = db
      .updateTable('product_variants')
      .set({ stock: 3, price_cents: 100 })
      .where('id', '=', 1)
      .toOperationNode();
    assert.deepEqual(kindsWritten(node), ['catalog', 'products']);
    const inserted = db.deleteFrom('product_variants').where('id', '=', 1).toOperationNode();
    assert.deepEqual(kindsWritten(inserted), ['catalog', 'products']);
  });

  it('an offer write moves the offer boundary and products', () => {
    const node = db.updateTable('offers').set({ discount_bp: 500 }).where('id', '=', 1).toOperationNode();
    assert.deepEqual(kindsWritten(node), ['catalog', 'offers', 'products']);
  });

  it('orders change the catalog but no product copy; carts and reads nothing; raw SQL writes everything', () => {
    assert.deepEqual(kindsWritten(db.updateTable('orders').set({ status: 'pending' }).toOperationNode()), [
      'catalog',
    ]);
    assert.deepEqual(kindsWritten(db.deleteFrom('cart_items').toOperationNode()), []);
    assert.deepEqual(kindsWritten(db.selectFrom('products').selectAll().toOperationNode()), []);
    assert.deepEqual(kindsWritten(sql`update products set stock = 0`.toOperationNode()), [
      'catalog',
      'products',
      'stock',
      'offers',
    ]);
  });
});
