/**
 * The words of a search box, as terms both full-text engines read literally: letters and digits
 * only, lower-cased, at most 10. Quotes, operators and column filters cannot reach FTS5 or
 * to_tsquery, so no input is a syntax error.
 */
export function searchTerms(q: string): string[] {
  return [...new Set((q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 10))];
}
