import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/*
 * One schema for SQLite and PostgreSQL. Portable column choices, on purpose:
 * - timestamps are ISO 8601 UTC strings ("2026-05-01T10:00:00.000Z"): identical text on both
 *   databases, sortable and comparable as text;
 * - booleans are integers 0/1 (SQLite has no boolean; PostgreSQL's would come back as true/false);
 * - money is bigint cents (PostgreSQL's int8 is parsed back to a JS number, safe below 2^53).
 */
type Id = Generated<number>;
type Flag = ColumnType<number, number | undefined, number>;

export interface UsersTable {
  id: Id;
  username: string;
  username_key: string;
  email: string | null;
  email_key: string | null;
  password_hash: string;
  first_name: string | null;
  last_name: string | null;
  address: string | null;
  is_admin: Flag;
  token_version: ColumnType<number, number | undefined, number>;
  profile_media_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface RefreshTokensTable {
  id: string;
  family_id: string;
  user_id: number;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export interface CategoriesTable {
  id: Id;
  name: string;
  name_key: string;
  created_at: string;
  updated_at: string;
}

export interface OffersTable {
  id: Id;
  name: string;
  discount_bp: number;
  start_time: string;
  end_time: string;
  created_at: string;
  updated_at: string;
}

export interface ProductsTable {
  id: Id;
  name: string;
  description: string;
  price_cents: number;
  stock: number;
  category_id: number;
  offer_id: number | null;
  serialized: Flag;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface MediaTable {
  id: Id;
  storage_key: string;
  thumbnail_key: string;
  content_type: string;
  width: number;
  height: number;
  bytes: number;
  created_at: string;
}

export interface ProductImagesTable {
  id: Id;
  product_id: number;
  media_id: number;
  position: number;
  created_at: string;
}

export interface UnitsTable {
  id: Id;
  product_id: number;
  serial_number: string;
  status: 'available' | 'sold';
  order_item_id: number | null;
  created_at: string;
  sold_at: string | null;
}

export interface CartItemsTable {
  id: Id;
  user_id: number;
  product_id: number;
  quantity: number;
  created_at: string;
  updated_at: string;
}

export type OrderStatus = 'pending' | 'shipped' | 'delivered' | 'cancelled';

export interface OrdersTable {
  id: Id;
  user_id: number | null;
  status: OrderStatus;
  total_cents: number;
  shipping_address: string | null;
  estimated_delivery_date: string;
  created_at: string;
  shipped_at: string | null;
  delivered_at: string | null;
  cancelled_at: string | null;
}

export interface OrderItemsTable {
  id: Id;
  order_id: number;
  product_id: number;
  product_name: string;
  unit_price_cents: number;
  original_unit_price_cents: number;
  offer_name: string | null;
  quantity: number;
  line_total_cents: number;
}

export interface IdempotencyKeysTable {
  user_id: number;
  key: string;
  request_hash: string;
  order_id: number | null;
  created_at: string;
  expires_at: string;
}

export interface EventsTable {
  seq: Id;
  id: string;
  type: string;
  /** The payload, JSON text exactly as it is sent. */
  data: string;
  created_at: string;
}

export interface WebhookEndpointsTable {
  id: Id;
  url: string;
  description: string | null;
  enabled: Flag;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookSubscriptionsTable {
  endpoint_id: number;
  event_type: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveriesTable {
  id: Id;
  event_seq: number;
  endpoint_id: number;
  status: DeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string;
  retry_until: string;
  claim_token: string | null;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

export interface Database {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  categories: CategoriesTable;
  offers: OffersTable;
  products: ProductsTable;
  media: MediaTable;
  product_images: ProductImagesTable;
  units: UnitsTable;
  cart_items: CartItemsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  idempotency_keys: IdempotencyKeysTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Database>;
