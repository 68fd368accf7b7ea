/** The API's JSON, as far as the admin screens read it (see ../../shared/API.md). */

export interface SalesReport {
  currency: string;
  from: string;
  to: string;
  totals: { orders: number; revenue: number; units: number; average_order_value: number; refunds: number };
  series: Array<{ period: string; orders: number; revenue: number; units: number }>;
  top_products: Array<{ product_id: number; name: string; units: number; revenue: number }>;
}

export interface InventoryItem {
  product_id: number;
  variant_id?: number;
  name: string;
  variant_title?: string | null;
  stock: number;
  sold_last_30_days: number;
  days_of_cover: number | null;
  reorder: boolean;
}

export interface Payment {
  id: number;
  provider: string;
  status: string;
  amount: number;
  amount_captured: number;
  amount_refunded: number;
}

export interface Shipment {
  id: number;
  carrier: string;
  tracking_number: string;
  tracking_url: string | null;
  created_at: string;
}

export interface OrderLine {
  product_id: number;
  variant_id?: number;
  sku?: string | null;
  product_name: string;
  variant_title?: string | null;
  unit_price: number;
  quantity: number;
  line_total: number;
  serial_numbers?: string[];
}

export interface Order {
  id: number;
  user_id: number | null;
  status: 'awaiting_payment' | 'pending' | 'shipped' | 'delivered' | 'cancelled';
  payment_status?: string;
  created_at: string;
  shipping_address: string | null;
  items: OrderLine[];
  total: number;
  amount_paid?: number;
  amount_refunded?: number;
  payment?: Payment | null;
  shipments?: Shipment[];
}

export interface OrderEvent {
  type: string;
  at: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface Category {
  id: number;
  name: string;
  product_count: number;
}

export interface Variant {
  id: number;
  sku: string | null;
  title: string;
  option_values: Record<string, string>;
  price: number;
  current_price: number;
  stock: number;
  serialized: boolean;
  archived: boolean;
}

export interface ProductOption {
  id: number;
  name: string;
  values: string[];
}

export interface Product {
  id: number;
  name: string;
  description: string;
  price: number;
  current_price: number;
  stock: number;
  category_id: number;
  category: { id: number; name: string };
  image_url: string | null;
  images: Array<{ id: number; url: string; thumbnail_url: string }>;
  serialized: boolean;
  offer: { id: number; name: string; discount_percent: number } | null;
  offer_id?: number | null;
  options?: ProductOption[];
  variants?: Variant[];
}

export interface Unit {
  serial_number: string;
  status: 'available' | 'sold';
  variant_id?: number;
  order_id?: number | null;
}

export interface Offer {
  id: number;
  name: string;
  discount_percent: number;
  start_time: string;
  end_time: string;
  product_ids: number[];
}

export interface User {
  id: number;
  username: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  is_admin: boolean;
  created_at: string;
}

export interface WebhookEndpoint {
  id: number;
  url: string;
  events: string[];
  enabled: boolean;
  description: string | null;
  created_at: string;
  secret?: string;
}

export interface WebhookDelivery {
  id: number;
  event_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
}
