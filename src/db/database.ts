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

/**
 * price_cents, stock and serialized summarize the product's live variants (lowest price, summed
 * stock, any serialized). Triggers of migration 0004 write them whenever a variant changes.
 */
export interface ProductsTable {
  id: Id;
  name: string;
  description: string;
  price_cents: ColumnType<number, number, never>;
  stock: ColumnType<number, number | undefined, never>;
  category_id: number;
  offer_id: number | null;
  serialized: ColumnType<number, number | undefined, never>;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProductOptionsTable {
  id: Id;
  product_id: number;
  name: string;
  name_key: string;
  /** 1-3: the variant column option<position>_value_id that holds this option's value. */
  position: number;
  created_at: string;
}

export interface ProductOptionValuesTable {
  id: Id;
  option_id: number;
  value: string;
  value_key: string;
}

export interface ProductVariantsTable {
  id: Id;
  product_id: number;
  sku: string | null;
  sku_key: string | null;
  title: string;
  option1_value_id: number | null;
  option2_value_id: number | null;
  option3_value_id: number | null;
  /** The value ids in option order joined by "/", "" without options: one live variant per combination. */
  option_key: string;
  price_cents: number;
  stock: ColumnType<number, number | undefined, number>;
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
  variant_id: number;
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
  variant_id: number;
  quantity: number;
  created_at: string;
  updated_at: string;
}

export type OrderStatus = 'awaiting_payment' | 'pending' | 'shipped' | 'delivered' | 'cancelled';

export type PaymentStatus =
  | 'pending'
  | 'requires_action'
  | 'authorized'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'voided'
  | 'failed';

/** The order's view of its money, filterable: derived from the payment in the same transaction. */
export type OrderPaymentStatus =
  | 'unpaid'
  | 'authorized'
  | 'paid'
  | 'partially_refunded'
  | 'refunded'
  | 'voided'
  | 'failed';

export type PaymentEventType = 'authorized' | 'captured' | 'refunded' | 'voided' | 'failed';
export type Actor = 'customer' | 'admin' | 'system' | 'provider';

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
  payment_status: ColumnType<OrderPaymentStatus, OrderPaymentStatus | undefined, OrderPaymentStatus>;
  /** Set once the payment resolved; until then no one is shown the order. */
  placed_at: string | null;
}

export interface PaymentsTable {
  id: Id;
  order_id: number;
  provider: string;
  status: PaymentStatus;
  amount_cents: number;
  provider_reference: string | null;
  next_action_url: string | null;
  failure_code: string | null;
  failure_message: string | null;
  operation: string | null;
  operation_started_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface PaymentEventsTable {
  id: Id;
  payment_id: number;
  type: PaymentEventType;
  amount_cents: number;
  provider_reference: string | null;
  event_key: string;
  created_at: string;
}

export interface RefundsTable {
  id: Id;
  payment_id: number;
  amount_cents: number;
  reason: string | null;
  status: 'pending' | 'succeeded' | 'failed';
  idempotency_key: string | null;
  provider_reference: string | null;
  created_at: string;
}

export interface PaymentWebhookEventsTable {
  id: Id;
  provider: string;
  event_id: string;
  type: string;
  reference: string;
  payload: string;
  received_at: string;
  applied_at: string | null;
}

export interface ShipmentsTable {
  id: Id;
  order_id: number;
  carrier: string;
  tracking_number: string;
  tracking_url: string | null;
  created_at: string;
}

export interface OrderEventsTable {
  id: Id;
  order_id: number;
  type: string;
  actor: Actor;
  data: string;
  created_at: string;
}

export interface OrderItemsTable {
  id: Id;
  order_id: number;
  product_id: number;
  variant_id: number;
  sku: string | null;
  product_name: string;
  variant_title: string;
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
  product_options: ProductOptionsTable;
  product_option_values: ProductOptionValuesTable;
  product_variants: ProductVariantsTable;
  media: MediaTable;
  product_images: ProductImagesTable;
  units: UnitsTable;
  cart_items: CartItemsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  idempotency_keys: IdempotencyKeysTable;
  payments: PaymentsTable;
  payment_events: PaymentEventsTable;
  refunds: RefundsTable;
  payment_webhook_events: PaymentWebhookEventsTable;
  shipments: ShipmentsTable;
  order_events: OrderEventsTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Database>;
