import type { FastifyReply, FastifyRequest } from 'fastify';

export interface Page {
  limit: number;
  offset: number;
}

export function pageOf(query: { limit?: number; offset?: number }): Page {
  return { limit: query.limit ?? 20, offset: query.offset ?? 0 };
}

export interface Paged<T> {
  items: T[];
  total: number;
}

/**
 * Sets X-Total-Count and an RFC 8288 Link header (next/prev) for a paginated list, keeping the
 * request's other query parameters.
 */
export function pageHeaders(request: FastifyRequest, reply: FastifyReply, page: Page, total: number): void {
  reply.header('x-total-count', String(total));
  const url = new URL(request.url, 'http://localhost');
  const link = (offset: number, rel: string) => {
    url.searchParams.set('limit', String(page.limit));
    url.searchParams.set('offset', String(offset));
    return `<${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page.offset + page.limit < total) links.push(link(page.offset + page.limit, 'next'));
  if (page.offset > 0) links.push(link(Math.max(0, page.offset - page.limit), 'prev'));
  if (links.length > 0) reply.header('link', links.join(', '));
}

/** A paginated list's items, with its headers set (see pageHeaders). */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, page: Page, result: Paged<T>): T[] {
  pageHeaders(request, reply, page, result.total);
  return result.items;
}
