import type { AppContext } from './context.js';
import { AuthService } from './modules/auth/auth.service.js';
import type { SessionCache } from './modules/auth/session-cache.js';
import { CartService } from './modules/cart/cart.service.js';
import type { CartAnswers } from './modules/cart/cart-answers.js';
import { CategoriesService } from './modules/categories/categories.service.js';
import { EventsService } from './modules/events/events.service.js';
import { InsightsService } from './modules/insights/insights.service.js';
import { MediaService } from './modules/media/media.service.js';
import { OffersService } from './modules/offers/offers.service.js';
import { CheckoutService } from './modules/orders/checkout.service.js';
import { OrdersService } from './modules/orders/orders.service.js';
import { PaymentsService } from './modules/payments/payments.service.js';
import { ProductsService } from './modules/products/products.service.js';
import { VariantsService } from './modules/products/variants.service.js';
import { ReportsService } from './modules/reports/reports.service.js';
import { UnitsService } from './modules/units/units.service.js';
import { UsersService } from './modules/users/users.service.js';
import { WebhooksService } from './modules/webhooks/webhooks.service.js';
import type { CatalogFreshness } from './plugins/catalog-cache/freshness.js';
import type { Answer, KeptAnswers } from './plugins/catalog-cache/kept-answers.js';

/** The in-memory copies an HTTP process keeps, each kept current by what tells it of other processes' writes. */
export interface ServiceCaches {
  /** Session checks (see SessionCache). */
  sessions?: SessionCache | undefined;
  /** Products' JSON for carts, reused while the catalog is unchanged (see ProductSnapshots). */
  catalog?: CatalogFreshness | undefined;
  /** Signed-in users' cart answers (see CartAnswers). */
  cartAnswers?: CartAnswers | undefined;
  /** Customers' order pages and orders, as sent (see KeptAnswers). */
  orderAnswers?: KeptAnswers<string, Answer> | undefined;
}

/** Every service, built once per process. REST routes and MCP tools both call these. */
export function createServices(ctx: AppContext, caches: ServiceCaches = {}) {
  const auth = new AuthService(ctx, caches.sessions);
  const media = new MediaService(ctx);
  const users = new UsersService(ctx, auth, media);
  const products = new ProductsService(ctx, caches.catalog);
  const variants = new VariantsService(ctx, products);
  const categories = new CategoriesService(ctx, products);
  const offers = new OffersService(ctx, products);
  const units = new UnitsService(ctx, products);
  const insights = new InsightsService(ctx, products);
  const cart = new CartService(ctx, products, caches.cartAnswers);
  const reports = new ReportsService(ctx);
  const payments = new PaymentsService(ctx);
  const orders = new OrdersService(ctx, payments, caches.orderAnswers);
  const checkout = new CheckoutService(ctx, orders, payments, cart);
  const events = new EventsService(ctx);
  const webhooks = new WebhooksService(ctx);
  return {
    users,
    auth,
    products,
    variants,
    categories,
    offers,
    units,
    insights,
    media,
    cart,
    payments,
    orders,
    checkout,
    reports,
    events,
    webhooks,
  };
}

export type Services = ReturnType<typeof createServices>;
