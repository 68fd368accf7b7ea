import { type TSchema, Type } from 'typebox';
import { Pagination, RowId } from '../../../lib/schemas.js';

/** An id argument, named for what it identifies (models mix up a bare "id"). */
export const IdArg = (description: string) => RowId({ description });

export const PageArgs = Type.Object(Pagination, { additionalProperties: false });

/** A page of a list as an object (structured content is always an object). */
export const ListOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer({ description: 'Matches in all pages' }),
  });

export const NoArgs = Type.Object({}, { additionalProperties: false });
