import { type Static, Type } from 'typebox';
import { MoneyAmount } from '../../lib/schemas.js';

export const MAX_OPTIONS = 3;
export const MAX_OPTION_VALUES = 50;
/** Enough for 10 colours × 10 sizes; a combination explosion (50³) is refused, not half-written. */
export const MAX_VARIANTS = 100;

export const SKU_PATTERN = '^[A-Za-z0-9._-]{1,64}$';
const Sku = Type.String({
  pattern: SKU_PATTERN,
  description: '1-64 of A-Z a-z 0-9 . _ -; unique store-wide, whatever the case',
});
// No ':' in an option name: `option=Color:Red` splits at the first one.
const OptionName = Type.String({
  minLength: 1,
  maxLength: 50,
  pattern: '^[^:]*[^:\\s][^:]*$',
  description: 'e.g. Color (no ":")',
});
const OptionValue = Type.String({ minLength: 1, maxLength: 50, pattern: '\\S', description: 'e.g. Red' });
export const Stock = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });

export const OptionValues = Type.Record(Type.String(), OptionValue, {
  maxProperties: MAX_OPTIONS,
  description: 'One value for each of the product’s options, by option name: {"Color": "Red", "Size": "M"}',
});
export type OptionValues = Static<typeof OptionValues>;

export const ProductOption = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  values: Type.Array(Type.String()),
});
export type ProductOption = Static<typeof ProductOption>;

export const Variant = Type.Object(
  {
    id: Type.Integer(),
    product_id: Type.Integer(),
    sku: Type.Union([Type.String(), Type.Null()]),
    title: Type.String({
      description: 'Its option values joined by " / " ("Red / M"); "Default" without options',
    }),
    option_values: Type.Record(Type.String(), Type.String()),
    price: Type.Number({ description: 'List price' }),
    current_price: Type.Number({
      description: 'What a customer pays per unit now (the product’s offer applied)',
    }),
    is_on_offer: Type.Boolean(),
    stock: Type.Integer(),
    in_stock: Type.Boolean(),
    serialized: Type.Boolean({ description: 'Stock is the count of available serialized units' }),
    archived: Type.Boolean({ description: 'Withdrawn: kept for the orders that name it' }),
  },
  { description: 'What is bought and stocked: one combination of the product’s option values' },
);
export type Variant = Static<typeof Variant>;

/** The short form of a variant, as a variant_required problem lists them. */
export const VariantChoice = Type.Object({
  id: Type.Integer(),
  sku: Type.Union([Type.String(), Type.Null()]),
  title: Type.String(),
});
export type VariantChoice = Static<typeof VariantChoice>;

export const NewOption = Type.Object(
  {
    name: OptionName,
    values: Type.Array(OptionValue, { minItems: 1, maxItems: MAX_OPTION_VALUES }),
  },
  { additionalProperties: false },
);
export type NewOption = Static<typeof NewOption>;

export const NewVariant = Type.Object(
  {
    sku: Type.Optional(Sku),
    option_values: OptionValues,
    price: Type.Optional(MoneyAmount('List price; defaults to the product’s')),
    stock: Type.Optional(Stock),
  },
  { additionalProperties: false },
);
export type NewVariant = Static<typeof NewVariant>;

/** Product creation's variant part (merged into CreateProductBody). */
export const VariantFields = {
  options: Type.Optional(
    Type.Array(NewOption, {
      maxItems: MAX_OPTIONS,
      description: 'Up to 3 options of up to 50 values; without `variants`, one variant per combination',
    }),
  ),
  variants: Type.Optional(
    Type.Array(NewVariant, {
      minItems: 1,
      maxItems: MAX_VARIANTS,
      description: 'Each combination of option values at most once; needs `options`',
    }),
  ),
};

export const UpdateVariantBody = Type.Object(
  {
    sku: Type.Optional(Type.Union([Sku, Type.Null()], { description: 'null removes the SKU' })),
    price: Type.Optional(MoneyAmount('List price')),
    stock: Type.Optional({ ...Stock, description: 'Not settable on serialized variants (add units)' }),
    option_values: Type.Optional(OptionValues),
  },
  { additionalProperties: false },
);
export type UpdateVariantBody = Static<typeof UpdateVariantBody>;

export const UpdateOptionBody = Type.Object(
  {
    name: Type.Optional(OptionName),
    values: Type.Optional(
      Type.Array(OptionValue, {
        minItems: 1,
        maxItems: MAX_OPTION_VALUES,
        description: 'Values to add (those the option already has are kept as they are)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type UpdateOptionBody = Static<typeof UpdateOptionBody>;

export const OptionParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  option_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});
