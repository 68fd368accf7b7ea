import { type Static, Type } from 'typebox';
import { Pagination, RowId } from '../../lib/schemas.js';

export const Offer = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  discount_percent: Type.Number(),
  start_time: Type.String({ format: 'date-time' }),
  end_time: Type.String({ format: 'date-time' }),
  is_active: Type.Boolean({ description: 'start_time <= now < end_time' }),
  product_ids: Type.Array(Type.Integer()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Offer = Static<typeof Offer>;

const Name = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S', description: 'Offer name' });
const Percent = Type.Number({
  exclusiveMinimum: 0,
  maximum: 20,
  description: 'Percent off, 0 < p <= 20, at most two decimals',
});
const Instant = (description: string) =>
  Type.String({ maxLength: 64, description: `${description}: ISO 8601 with an offset (Z or +05:45)` });

export const CreateOfferBody = Type.Object(
  {
    name: Name,
    discount_percent: Percent,
    start_time: Instant('Start, inclusive'),
    end_time: Instant('End, exclusive; after start_time'),
  },
  { additionalProperties: false },
);
export type CreateOfferBody = Static<typeof CreateOfferBody>;

export const UpdateOfferBody = Type.Object(
  {
    name: Type.Optional(Name),
    discount_percent: Type.Optional(Percent),
    start_time: Type.Optional(Instant('Start, inclusive')),
    end_time: Type.Optional(Instant('End, exclusive; after start_time')),
  },
  { additionalProperties: false },
);
export type UpdateOfferBody = Static<typeof UpdateOfferBody>;

export const OfferListQuery = Type.Object(Pagination, { additionalProperties: false });

export const ApplyParams = Type.Object({
  offer_id: RowId(),
  product_id: RowId(),
});
