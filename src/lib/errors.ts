/** Stable, documented problem codes: clients branch on these, never on messages. */
export type ProblemCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'uri_too_long'
  | 'header_too_large'
  | 'request_timeout'
  | 'conflict'
  | 'insufficient_stock'
  | 'has_variants'
  | 'variant_required'
  | 'idempotency_key_reused'
  | 'invalid_transition'
  | 'payment_declined'
  | 'payment_provider_error'
  | 'payment_capture_failed'
  | 'refund_exceeds_captured'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'service_unavailable'
  | 'internal_error';

export interface FieldError {
  path: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function titleFor(status: number): string {
  return TITLES[status] ?? 'Error';
}

/** A failure the client can act on; the error handler turns it into RFC 9457 problem details. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    /** Extra members of the problem object, e.g. what stock is available. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly errors: FieldError[],
    message = errors.map((e) => `${e.path || '/'} ${e.message}`).join('; '),
  ) {
    super(400, 'validation_failed', message, { errors });
  }
}

export const badRequest = (message: string) => new AppError(400, 'bad_request', message);
export const unauthorized = (message = 'Authentication required') =>
  new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'You are not allowed to do this') =>
  new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, extensions?: Record<string, unknown>) =>
  new AppError(409, 'conflict', message, extensions);
export const invalidField = (path: string, message: string) => new ValidationError([{ path, message }]);
