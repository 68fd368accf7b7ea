import { databaseUnavailable, isDatabaseUnavailable } from '../db/errors.js';
import { AppError, type FieldError, type ProblemCode, titleFor } from './errors.js';

/** RFC 9457 problem details: what a REST error body and an MCP tool error both carry. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problem(
  status: number,
  code: ProblemCode,
  detail: string,
  extensions: Record<string, unknown> = {},
): ProblemDetails {
  return {
    type: `https://mercato.dev/problems/${code.replaceAll('_', '-')}`,
    title: titleFor(status),
    status,
    detail,
    code,
    ...extensions,
  };
}

/**
 * Anything thrown, as the problem a client sees: an AppError says what went wrong, a database
 * that cannot be reached is a 503 to retry; anything else
 * is a bug, and the client learns nothing it could exploit (the caller logs the error in full).
 */
export function toProblem(error: unknown): ProblemDetails {
  if (isDatabaseUnavailable(error)) error = databaseUnavailable(); // an outage, not a bug: 503
  if (error instanceof AppError) return problem(error.status, error.code, error.message, error.extensions);
  return problem(500, 'internal_error', 'An unexpected error occurred; it has been logged');
}
