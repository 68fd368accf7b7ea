import 'dotenv/config';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/connect.js';
import type { Db, Trx } from '../db/database.js';
import { setupDatabase } from '../db/migrate.js';
import { DEFAULT_VARIANT_TITLE } from '../modules/products/variant-combination.js';
import {
  insertDefaultVariants,
  insertOption,
  insertOptionValues,
  insertVariants,
  syncSerializedStock,
} from '../modules/products/variants.repository.js';
import { DEMO_OFFERS, type DemoProduct, demoProducts } from './demo-catalog.js';

export interface SeedReport {
  productsCreated: number;
  offersCreated: number;
  unitsCreated: number;
}

const DAY = 86_400_000;

/**
 * Adds the demo catalog: 1,000 products over the 20 seed categories, 10% on offers active now,
 * some sold as serialized units, apparel in Color × Size and shoes in sizes. Idempotent: products are known by name, offers by name, units by
 * serial, so a second run adds nothing (and re-opens the demo offers' windows around `now`).
 */
export async function seedDemo(db: Db, now: Date): Promise<SeedReport> {
  const nowIso = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const categories = new Map(
      (await trx.selectFrom('categories').select(['id', 'name']).execute()).map((c) => [c.name, c.id]),
    );
    const offerIds: number[] = [];
    let offersCreated = 0;
    const window = {
      start_time: new Date(now.getTime() - 7 * DAY).toISOString(),
      end_time: new Date(now.getTime() + 90 * DAY).toISOString(),
    };
    for (const offer of DEMO_OFFERS) {
      const existing = await trx
        .selectFrom('offers')
        .select('id')
        .where('name', '=', offer.name)
        .executeTakeFirst();
      if (existing) {
        await trx
          .updateTable('offers')
          .set({ ...window, updated_at: nowIso })
          .where('id', '=', existing.id)
          .execute();
        offerIds.push(existing.id);
        continue;
      }
      const row = await trx
        .insertInto('offers')
        .values({ ...offer, ...window, created_at: nowIso, updated_at: nowIso })
        .returning('id')
        .executeTakeFirstOrThrow();
      offerIds.push(row.id);
      offersCreated += 1;
    }

    const demo = demoProducts();
    const existingNames = new Set(
      (
        await trx
          .selectFrom('products')
          .select('name')
          .where(
            'name',
            'in',
            demo.map((p) => p.name),
          )
          .execute()
      ).map((r) => r.name),
    );
    const missing = demo.filter((p) => !existingNames.has(p.name));
    const ids = new Map<string, number>();
    for (let i = 0; i < missing.length; i += 200) {
      const rows = await trx
        .insertInto('products')
        .values(
          missing.slice(i, i + 200).map((p) => {
            const created = new Date(now.getTime() - p.ageHours * 3_600_000).toISOString();
            const categoryId = categories.get(p.category);
            if (categoryId === undefined) throw new Error(`seed category ${p.category} is missing`);
            return {
              name: p.name,
              description: p.description,
              // A product with options gets its variants below; the others a default variant
              // carrying this price and stock. The summary triggers then keep these columns.
              price_cents: p.price_cents,
              stock: p.stock,
              category_id: categoryId,
              offer_id: p.offerIndex === null ? null : offerIds[p.offerIndex]!,
              created_at: created,
              updated_at: created,
            };
          }),
        )
        .returning(['id', 'name'])
        .execute();
      for (const row of rows) ids.set(row.name, row.id);
    }

    const variantIds = await insertDemoVariants(trx, missing, ids, nowIso);

    let unitsCreated = 0;
    for (const p of missing.filter((m) => m.serials.length > 0)) {
      const productId = ids.get(p.name)!;
      const variantId = variantIds.get(p.name)!;
      const inserted = await trx
        .insertInto('units')
        .values(
          p.serials.map((serial_number) => ({
            product_id: productId,
            variant_id: variantId,
            serial_number,
            status: 'available' as const,
            created_at: nowIso,
          })),
        )
        .onConflict((oc) => oc.column('serial_number').doNothing())
        .returning('id')
        .execute();
      unitsCreated += inserted.length;
      // A serialized variant's stock is its available units.
      await syncSerializedStock(trx, variantId, nowIso);
    }
    return { productsCreated: missing.length, offersCreated, unitsCreated };
  });
}

/**
 * Each new product's variants: a default variant carrying its price and stock or, for apparel
 * and shoes, its options and one variant per combination. Returns the default variants' ids by name.
 */
async function insertDemoVariants(
  trx: Trx,
  products: readonly DemoProduct[],
  ids: ReadonlyMap<string, number>,
  now: string,
): Promise<Map<string, number>> {
  const plain = products.filter((p) => p.options.length === 0);
  const defaults = await insertDefaultVariants(
    trx,
    plain.map((p) => ids.get(p.name)!),
    DEFAULT_VARIANT_TITLE,
  );
  for (const p of products.filter((m) => m.options.length > 0)) {
    const productId = ids.get(p.name)!;
    const valueIds: Array<Map<string, number>> = [];
    for (const [i, option] of p.options.entries()) {
      const optionId = await insertOption(trx, productId, option.name, i + 1, now);
      const values = await insertOptionValues(trx, optionId, option.values);
      valueIds.push(new Map(values.map((v) => [v.value, v.id])));
    }
    await insertVariants(
      trx,
      p.variants.map((v) => {
        const idsOf = v.values.map((value, i) => valueIds[i]!.get(value)!);
        return {
          product_id: productId,
          sku: v.sku,
          sku_key: v.sku.toLowerCase(),
          title: v.values.join(' / '),
          option1_value_id: idsOf[0] ?? null,
          option2_value_id: idsOf[1] ?? null,
          option3_value_id: idsOf[2] ?? null,
          option_key: idsOf.join('/'),
          price_cents: v.price_cents,
          stock: v.stock,
          serialized: 0,
          archived_at: null,
          created_at: now,
          updated_at: now,
        };
      }),
    );
  }
  return new Map(plain.map((p) => [p.name, defaults.get(ids.get(p.name)!)!]));
}

async function main() {
  const config = loadConfig();
  const db = createDatabase(config.database, { poolSize: 2 });
  try {
    const setup = await setupDatabase(db, config);
    if (setup.generatedAdminPassword) {
      // Seeding may be the first start: the admin's generated password is shown once, as by the server.
      console.log(`Created admin "${config.adminUsername}" with password: ${setup.generatedAdminPassword}`);
    }
    const report = await seedDemo(db, new Date());
    console.log(
      `Demo catalog: ${report.productsCreated} products, ${report.offersCreated} offers and ` +
        `${report.unitsCreated} serialized units added` +
        (report.productsCreated === 0 ? ' (already seeded; offer windows refreshed)' : ''),
    );
  } finally {
    await db.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
