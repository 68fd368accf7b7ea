// The shop the scenarios run against, on top of the demo catalog: 200 stocked products for the
// checkout load, and a signed-in reader with ~10 placed orders and a 5-line cart.
import { api, customer, login } from '../client.js';
import { ADMIN_PASSWORD } from '../databases.js';

/** Products the checkout scenario buys from at random (the issue: "32 users on 200 products"). */
export const STOCKED_PRODUCTS = 200;
/** Units of each: more than a run sells, so checkouts measure the write path rather than 409s. */
export const STOCK_PER_PRODUCT = 1_000;
const READER_ORDERS = 10;
const CART_LINES = 5;

export interface Shop {
  admin: string;
  reader: string;
  stocked: number[];
  /** The reader's newest order. */
  orderId: number;
  /** A one-variant product with an offer from the demo catalog. */
  productId: number;
  searchWord: string;
}

interface ListedProduct {
  id: number;
  variants: { id: number; stock: number }[];
}

export async function prepareShop(url: string, sample: { id: number; name: string }): Promise<Shop> {
  const admin = await login(url, 'admin', ADMIN_PASSWORD);
  const stocked: number[] = [];
  for (let i = 0; i < STOCKED_PRODUCTS; i++) {
    const body = { name: `Bench Widget ${i}`, price: 9.99, stock: STOCK_PER_PRODUCT, category_id: 1 };
    stocked.push((await api(url, 'POST', '/api/products', body, admin)).json.id);
  }

  const reader = await customer(url, 'bench_reader');
  let orderId = 0;
  for (let i = 0; i < READER_ORDERS; i++) {
    for (const productId of [stocked[i * 2], stocked[i * 2 + 1]])
      await api(url, 'POST', '/api/cart', { product_id: productId, quantity: 1 }, reader);
    orderId = (await api(url, 'POST', '/api/checkout', {}, reader)).json.order.id;
  }
  // The cart is filled after the orders, which empty it: demo products, with their images and offers.
  const listed: ListedProduct[] = (await api(url, 'GET', `/api/products?limit=${CART_LINES}&in_stock=true`))
    .json;
  for (const product of listed) {
    const variant = product.variants.find((v) => v.stock > 0);
    const line = { product_id: product.id, variant_id: variant?.id, quantity: 1 };
    await api(url, 'POST', '/api/cart', line, reader);
  }

  return {
    admin,
    reader,
    stocked,
    orderId,
    productId: sample.id,
    searchWord: sample.name.split(' ')[0]!.toLowerCase(),
  };
}
