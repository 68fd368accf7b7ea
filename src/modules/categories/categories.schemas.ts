import { type Static, Type } from 'typebox';
import { Pagination } from '../../lib/schemas.js';

export const Category = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  product_count: Type.Integer({ description: 'Live (non-archived) products in the category' }),
});
export type Category = Static<typeof Category>;

const Name = Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' });

export const CategoryBody = Type.Object({ name: Name }, { additionalProperties: false });
export type CategoryBody = Static<typeof CategoryBody>;

export const CategoryListQuery = Type.Object(Pagination, { additionalProperties: false });
