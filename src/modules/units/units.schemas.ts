import { type Static, Type } from 'typebox';
import { Pagination } from '../../lib/schemas.js';
import { Product } from '../products/products.schemas.js';

export const MAX_UNITS_PER_BATCH = 1000;

export const Unit = Type.Object({
  id: Type.Integer(),
  product_id: Type.Integer(),
  variant_id: Type.Integer(),
  serial_number: Type.String(),
  status: Type.Union([Type.Literal('available'), Type.Literal('sold')]),
  order_item_id: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  sold_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type Unit = Static<typeof Unit>;

export const UnitOrder = Type.Object({
  id: Type.Integer(),
  user_id: Type.Union([Type.Integer(), Type.Null()]),
  status: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  shipped_at: Type.Union([Type.String(), Type.Null()]),
  delivered_at: Type.Union([Type.String(), Type.Null()]),
  cancelled_at: Type.Union([Type.String(), Type.Null()]),
  unit_price: Type.Number({ description: 'What was paid for this unit' }),
});

export const UnitLookup = Type.Object({
  ...Unit.properties,
  product: Product,
  order: Type.Union([UnitOrder, Type.Null()], { description: 'The order that bought it, when sold' }),
});
export type UnitLookup = Static<typeof UnitLookup>;

export const SERIAL_PATTERN = '^[\\x21-\\x7E]{1,100}$';

export const AddUnitsBody = Type.Object(
  {
    variant_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description: 'The variant the units are of; required when the product has several variants',
      }),
    ),
    count: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_UNITS_PER_BATCH,
        description: 'Generate this many (UUID serials)',
      }),
    ),
    serial_numbers: Type.Optional(
      Type.Array(Type.String({ pattern: SERIAL_PATTERN, description: 'Printable ASCII, no spaces' }), {
        minItems: 1,
        maxItems: MAX_UNITS_PER_BATCH,
      }),
    ),
  },
  { additionalProperties: false, description: 'Exactly one of count or serial_numbers' },
);
export type AddUnitsBody = Static<typeof AddUnitsBody>;

export const UnitListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('available'), Type.Literal('sold')])),
    ...Pagination,
  },
  { additionalProperties: false },
);
export type UnitListQuery = Static<typeof UnitListQuery>;

export const SerialParams = Type.Object({ serial_number: Type.String({ pattern: SERIAL_PATTERN }) });
