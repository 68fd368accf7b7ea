import type { Migration } from 'kysely';
import * as initial from './0001_initial.js';
import * as productSearch from './0002_product_search.js';
import * as catalogNotify from './0003_catalog_notify.js';
import * as variants from './0004_variants.js';
import * as payments from './0005_payments.js';
import * as events from './0006_events.js';

/** Every schema change, in order. Names never change once released. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_product_search': productSearch,
  '0003_catalog_notify': catalogNotify,
  '0004_variants': variants,
  '0005_payments': payments,
  '0006_events': events,
};
