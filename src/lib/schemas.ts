import { type TSchema, Type } from 'typebox';

/** RFC 9457 problem details, as every error response is shaped. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);

export const ProblemRef = Type.Unsafe<Record<string, unknown>>(Type.Ref('Problem'));

/**
 * The error statuses a route can answer with. Each is documented once, as a shared response in
 * components (application/problem+json, see plugins/openapi.ts), and referenced by every route.
 */
export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemRef]));
}

/** The headers sendPage() sets, as documented on every paginated list. */
const PAGE_HEADERS = {
  'X-Total-Count': { type: 'integer', minimum: 0, description: 'Items matching the query, in all pages' },
  Link: {
    type: 'string',
    description: 'RFC 8288 links to the rel="next" and rel="prev" pages, where they exist',
  },
};

/** A paginated list: a bare JSON array, with X-Total-Count and Link headers (see sendPage). */
export const PageOf = <T extends TSchema>(item: T) => Type.Array(item, { headers: PAGE_HEADERS });

/** The answer to an If-None-Match that still matches: no body. */
export const NotModified = Type.Null({
  description: 'Not Modified: the If-None-Match ETag is still current',
});

/**
 * The largest integer both databases hold in an INTEGER column (PostgreSQL int4). Every numeric
 * query or path value is bounded: `offset=1e20` is a 400, never a 500 from the driver.
 */
export const MAX_INT = 2_147_483_647;

/** A row id, as a path or query value or a body field. */
export const RowId = (options: { description?: string } = {}) =>
  Type.Integer({ minimum: 1, maximum: MAX_INT, ...options });

export const IdParams = Type.Object({ id: RowId() });

export const Pagination = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size (1-100)' }),
  ),
  offset: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_INT, default: 0, description: 'Items to skip' }),
  ),
};

/** A JSON number with at most two decimals, 0 to 99,999,999.99 (checked exactly in money.ts). */
export const MoneyAmount = (description: string) =>
  Type.Number({ minimum: 0, maximum: 99_999_999.99, description: `${description} (at most two decimals)` });

/** A nullable string field that an update may set to null to clear it. */
export const NullableString = (options: { maxLength: number; description?: string }) =>
  Type.Union([Type.String({ maxLength: options.maxLength }), Type.Null()], {
    description: options.description,
  });

export const Message = Type.Object({ message: Type.String() });
