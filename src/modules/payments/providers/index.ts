import type { Config } from '../../../config.js';
import { ConfigError } from '../../../config.js';
import type { PaymentProvider } from '../payment-provider.js';
import { manualProvider } from './manual.js';
import { testProvider } from './test.js';

/** Every provider Mercato knows; PAYMENT_PROVIDERS picks those enabled. A new one is one line here. */
const FACTORIES: Record<string, (config: Config) => PaymentProvider> = {
  manual: () => manualProvider(),
  test: (config) => testProvider(config.paymentTestWebhookSecret),
};

/** The enabled providers in PAYMENT_PROVIDERS order: the first is the checkout default. */
export function enabledProviders(config: Config): PaymentProvider[] {
  return config.paymentProviders.map((name) => {
    const factory = FACTORIES[name];
    if (!factory) {
      throw new ConfigError(
        'PAYMENT_PROVIDERS',
        `names an unknown provider "${name}" (known: ${Object.keys(FACTORIES).join(', ')})`,
      );
    }
    return factory(config);
  });
}
