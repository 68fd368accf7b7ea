import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp } from '../src/app.js';
import { demoProducts } from '../src/cli/demo-catalog.js';
import type { Config } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { migrateToLatest, setupDatabase } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import { ManualClock } from '../src/lib/clock.js';
import { hashPassword } from '../src/modules/auth/password.js';
import { ADMIN_PASSWORD, createTestDatabase, testConfig } from './helpers/app.js';
import { testDialects } from './helpers/env.js';

// biome-ignore lint/suspicious/noExplicitAny: the data is written with the schema of migration 0003, not today's type
type OldDb = Kysely<any>;

/** What upgrading a store at 0003 runs: 0004_variants first, then every later migration in order. */
const AFTER_0003 = Object.keys(migrations).filter((name) => name > '0003_catalog_notify');

/** A database migrated up to 0003 only: the store as it was before variants. */
async function storeBeforeVariants(dialect: 'sqlite' | 'postgres') {
  const database = await createTestDatabase(dialect, { file: true, migrateTo: '0003_catalog_notify' });
  return {
    ...database,
    config: testConfig({ DATABASE_URL: database.url }),
    old: database.db as unknown as OldDb,
  };
}

const NOW = '2026-06-01T12:00:00.000Z';
const stamps = { created_at: NOW, updated_at: NOW };

async function insertOld(old: OldDb, table: string, values: Record<string, unknown>): Promise<number> {
  const row = await old.insertInto(table).values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

for (const dialect of testDialects()) {
  describe(`migration 0004 upgrades a store with data (${dialect})`, () => {
    let store: Awaited<ReturnType<typeof storeBeforeVariants>>;
    let app: FastifyInstance;
    const id: Record<string, number> = {};
    let token: string;
    let adminToken: string;

    before(async () => {
      store = await storeBeforeVariants(dialect);
      const { old } = store;
      id.category = await insertOld(old, 'categories', {
        name: 'Electronics',
        name_key: 'electronics',
        ...stamps,
      });
      id.user = await insertOld(old, 'users', {
        username: 'longtime',
        username_key: 'longtime',
        password_hash: await hashPassword('correct-horse-1'),
        ...stamps,
      });
      id.offer = await insertOld(old, 'offers', {
        name: 'Summer',
        discount_bp: 1000,
        start_time: '2026-01-01T00:00:00.000Z',
        end_time: '2027-01-01T00:00:00.000Z',
        ...stamps,
      });
      const product = { description: '', category_id: id.category, ...stamps };
      id.lamp = await insertOld(old, 'products', {
        ...product,
        name: 'Lamp',
        price_cents: 2500,
        stock: 7,
        offer_id: id.offer,
      });
      id.phone = await insertOld(old, 'products', {
        ...product,
        name: 'Phone',
        price_cents: 50000,
        stock: 2,
        serialized: 1,
      });
      id.order = await insertOld(old, 'orders', {
        user_id: id.user,
        status: 'pending',
        total_cents: 54500,
        shipping_address: '1 Old Road',
        estimated_delivery_date: '2026-06-08T12:00:00.000Z',
        created_at: NOW,
      });
      const line = { order_id: id.order };
      id.lampLine = await insertOld(old, 'order_items', {
        ...line,
        product_id: id.lamp,
        product_name: 'Lamp',
        unit_price_cents: 2250,
        original_unit_price_cents: 2500,
        offer_name: 'Summer',
        quantity: 2,
        line_total_cents: 4500,
      });
      id.phoneLine = await insertOld(old, 'order_items', {
        ...line,
        product_id: id.phone,
        product_name: 'Phone',
        unit_price_cents: 50000,
        original_unit_price_cents: 50000,
        quantity: 1,
        line_total_cents: 50000,
      });
      for (const [serial, sold] of [
        ['PH-1', true],
        ['PH-2', false],
        ['PH-3', false],
      ] as const) {
        await insertOld(old, 'units', {
          product_id: id.phone,
          serial_number: serial,
          status: sold ? 'sold' : 'available',
          order_item_id: sold ? id.phoneLine : null,
          created_at: NOW,
          sold_at: sold ? NOW : null,
        });
      }
      await insertOld(old, 'cart_items', { user_id: id.user, product_id: id.lamp, quantity: 1, ...stamps });

      const report = await setupDatabase(store.db, store.config);
      assert.deepEqual(report.migrated, AFTER_0003);
      app = await buildApp(store.config as Config, { db: store.db, clock: new ManualClock(new Date(NOW)) });
      await app.ready();
      const login = async (username: string, password: string) =>
        (await app.inject({ method: 'POST', url: '/api/login', payload: { username, password } })).json()
          .access_token as string;
      token = await login('longtime', 'correct-horse-1');
      adminToken = await login('admin', ADMIN_PASSWORD);
    });
    after(async () => {
      await app?.close();
      await store?.drop();
    });

    const get = (url: string, bearer = token) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } });

    it('gives every product one default variant with its price, stock and serialized flag', async () => {
      const lamp = (await get(`/api/products/${id.lamp}`)).json();
      assert.equal(lamp.price, 25);
      assert.equal(lamp.current_price, 22.5);
      assert.equal(lamp.stock, 7);
      assert.deepEqual(lamp.options, []);
      assert.equal(lamp.variants.length, 1);
      assert.deepEqual(
        { ...lamp.variants[0], id: 0 },
        {
          id: 0,
          product_id: id.lamp,
          sku: null,
          title: 'Default',
          option_values: {},
          price: 25,
          current_price: 22.5,
          is_on_offer: true,
          stock: 7,
          in_stock: true,
          serialized: false,
          archived: false,
        },
      );
      const phone = (await get(`/api/products/${id.phone}`)).json();
      assert.equal(phone.serialized, true);
      assert.equal(phone.stock, 2);
      assert.equal(phone.variants[0].serialized, true);
      const units = (await get(`/api/products/${id.phone}/units`, adminToken)).json();
      assert.deepEqual(
        units.map((u: { serial_number: string; variant_id: number }) => [u.serial_number, u.variant_id]),
        [
          ['PH-1', phone.variants[0].id],
          ['PH-2', phone.variants[0].id],
          ['PH-3', phone.variants[0].id],
        ],
      );
    });

    it('reads every order the same, its lines pointing at the default variants', async () => {
      const lamp = (await get(`/api/products/${id.lamp}`)).json();
      const phone = (await get(`/api/products/${id.phone}`)).json();
      const order = (await get(`/api/orders/${id.order}`)).json();
      assert.equal(order.total, 545);
      assert.equal(order.shipping_address, '1 Old Road');
      assert.deepEqual(order.items, [
        {
          id: id.lampLine,
          product_id: id.lamp,
          variant_id: lamp.variants[0].id,
          sku: null,
          product_name: 'Lamp',
          variant_title: 'Default',
          unit_price: 22.5,
          original_unit_price: 25,
          offer_name: 'Summer',
          quantity: 2,
          line_total: 45,
          serial_numbers: [],
        },
        {
          id: id.phoneLine,
          product_id: id.phone,
          variant_id: phone.variants[0].id,
          sku: null,
          product_name: 'Phone',
          variant_title: 'Default',
          unit_price: 500,
          original_unit_price: 500,
          offer_name: null,
          quantity: 1,
          line_total: 500,
          serial_numbers: ['PH-1'],
        },
      ]);
    });

    it('keeps cart lines on the default variant, and they check out', async () => {
      const lamp = (await get(`/api/products/${id.lamp}`)).json();
      const cart = (await get('/api/cart')).json();
      assert.deepEqual(
        cart.items.map((l: { product_id: number; variant_id: number; quantity: number }) => [
          l.product_id,
          l.variant_id,
          l.quantity,
        ]),
        [[id.lamp, lamp.variants[0].id, 1]],
      );
      const res = await app.inject({
        method: 'POST',
        url: '/api/checkout',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal((await get(`/api/products/${id.lamp}`)).json().stock, 6);
    });

    it('cancels an order placed before the upgrade: stock and units return to the default variants', async () => {
      const res = await app.inject({
        method: 'POST',
        url: `/api/orders/${id.order}/cancel`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((await get(`/api/products/${id.lamp}`)).json().stock, 8);
      const phone = (await get(`/api/products/${id.phone}`)).json();
      assert.equal(phone.stock, 3);
      assert.equal(phone.variants[0].stock, 3);
    });
  });

  describe(`migration 0004 on the 1,000-product demo catalog (${dialect})`, () => {
    let store: Awaited<ReturnType<typeof storeBeforeVariants>>;
    before(async () => {
      store = await storeBeforeVariants(dialect);
    });
    after(() => store.drop());

    it('moves every product, unit and order line onto a default variant, and says how long it took', async (t) => {
      const { old, db } = store;
      const category = await insertOld(old, 'categories', {
        name: 'Everything',
        name_key: 'everything',
        ...stamps,
      });
      const demo = demoProducts();
      const ids: number[] = [];
      for (let i = 0; i < demo.length; i += 200) {
        const rows = await old
          .insertInto('products')
          .values(
            demo.slice(i, i + 200).map((p) => ({
              name: p.name,
              description: p.description,
              price_cents: p.price_cents,
              stock: p.serials.length > 0 ? p.serials.length : p.stock,
              serialized: p.serials.length > 0 ? 1 : 0,
              category_id: category,
              ...stamps,
            })),
          )
          .returning('id')
          .execute();
        ids.push(...rows.map((r) => Number(r.id)));
      }
      const serials = demo.flatMap((p, i) =>
        p.serials.map((serial_number) => ({
          product_id: ids[i],
          serial_number,
          status: 'available',
          created_at: NOW,
        })),
      );
      await old.insertInto('units').values(serials).execute();
      const order = await insertOld(old, 'orders', {
        status: 'delivered',
        total_cents: 0,
        estimated_delivery_date: NOW,
        created_at: NOW,
      });
      await old
        .insertInto('order_items')
        .values(
          ids.map((productId) => ({
            order_id: order,
            product_id: productId,
            product_name: 'then',
            unit_price_cents: 100,
            original_unit_price_cents: 100,
            quantity: 1,
            line_total_cents: 100,
          })),
        )
        .execute();
      const stockBefore = await totalStock(db);

      const started = performance.now();
      assert.deepEqual(await migrateToLatest(db), AFTER_0003);
      const ms = performance.now() - started;
      t.diagnostic(
        `migration 0004 on 1,000 products (${serials.length} units, 1,000 order lines): ${ms.toFixed(0)} ms`,
      );

      const variants = await db
        .selectFrom('product_variants')
        .select(['product_id', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('product_id')
        .execute();
      assert.equal(variants.length, 1000);
      assert.ok(variants.every((v) => Number(v.n) === 1));
      assert.equal(await totalStock(db), stockBefore);
      const variantStock = await db
        .selectFrom('product_variants')
        .select((eb) => eb.fn.sum<number>('stock').as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(variantStock.n), stockBefore);
      for (const table of ['units', 'order_items'] as const) {
        const orphans = await db
          .selectFrom(table)
          .leftJoin('product_variants as v', 'v.id', `${table}.variant_id`)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where((eb) =>
            eb.or([eb('v.id', 'is', null), eb('v.product_id', '!=', eb.ref(`${table}.product_id`))]),
          )
          .executeTakeFirstOrThrow();
        assert.equal(Number(orphans.n), 0, `${table} lines without their product's variant`);
      }
      assert.ok(ms < 30_000, `${ms} ms`);
    });
  });
}

async function totalStock(db: Db): Promise<number> {
  const row = await db
    .selectFrom('products')
    .select((eb) => eb.fn.sum<number>('stock').as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
