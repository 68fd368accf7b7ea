import 'dotenv/config';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/connect.js';
import type { Db } from '../db/database.js';
import { setupDatabase } from '../db/migrate.js';
import { DEMO_OFFERS, demoProducts } from './demo-catalog.js';

export interface SeedReport {
  productsCreated: number;
  offersCreated: number;
  unitsCreated: number;
}

const DAY = 86_400_000;

/**
 * Adds the demo catalog: 1,000 products over the 20 seed categories, 10% on offers active now,
 * some sold as serialized units. Idempotent: products are known by name, offers by name, units by
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
              price_cents: p.price_cents,
              stock: p.stock,
              category_id: categoryId,
              offer_id: p.offerIndex === null ? null : offerIds[p.offerIndex]!,
              serialized: p.serials.length > 0 ? 1 : 0,
              created_at: created,
              updated_at: created,
            };
          }),
        )
        .returning(['id', 'name'])
        .execute();
      for (const row of rows) ids.set(row.name, row.id);
    }

    let unitsCreated = 0;
    for (const p of missing.filter((m) => m.serials.length > 0)) {
      const productId = ids.get(p.name)!;
      const inserted = await trx
        .insertInto('units')
        .values(
          p.serials.map((serial_number) => ({
            product_id: productId,
            serial_number,
            status: 'available' as const,
            created_at: nowIso,
          })),
        )
        .onConflict((oc) => oc.column('serial_number').doNothing())
        .returning('id')
        .execute();
      unitsCreated += inserted.length;
      // A serialized product's stock is its available units.
      await trx
        .updateTable('products')
        .set((eb) => ({
          stock: eb
            .selectFrom('units')
            .select(eb.fn.countAll<number>().as('n'))
            .where('units.product_id', '=', productId)
            .where('units.status', '=', 'available'),
        }))
        .where('id', '=', productId)
        .execute();
    }
    return { productsCreated: missing.length, offersCreated, unitsCreated };
  });
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
