import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import fp from 'fastify-plugin';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/errors.js';
import { AppError, type FieldError, type ProblemCode } from '../lib/errors.js';
import { type ProblemDetails, problem, toProblem } from '../lib/problem.js';
import { fieldError, type ValidationIssue } from '../lib/validation.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * RFC 9110 §11.6.1: a 401 names the scheme to use. RFC 6750 §3.1: a presented bearer token that
 * was refused is `invalid_token`; another scheme or a malformed header is `invalid_request`.
 */
function bearerChallenge(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) return 'Bearer realm="mercato"';
  const error = /^Bearer\s+\S/i.test(header) ? 'invalid_token' : 'invalid_request';
  return `Bearer realm="mercato", error="${error}"`;
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: ProblemCode,
  detail: string,
  extensions: Record<string, unknown> = {},
): FastifyReply {
  return sendProblemDetails(request, reply, problem(status, code, detail, extensions));
}

function sendProblemDetails(request: FastifyRequest, reply: FastifyReply, body: ProblemDetails) {
  const instance = request.url.split('?')[0] ?? request.url;
  if (body.status === 401) reply.header('www-authenticate', bearerChallenge(request));
  // A string payload bypasses the route's response serializer: problems have their own shape.
  return reply
    .code(body.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify({ ...body, instance }));
}

/** A bug: the log gets everything (with the request id), the client nothing it could exploit. */
function sendInternalError(request: FastifyRequest, reply: FastifyReply, error: Error, message: string) {
  request.log.error({ err: error }, message);
  return sendProblemDetails(request, reply, { ...toProblem(error), request_id: request.id });
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route or hook runs (a malformed
 * percent-encoding, a path parameter longer than maxParamLength).
 */
export function frameworkProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return sendProblem(request, reply, 414, 'uri_too_long', 'A path segment of the URL is too long');
  if (error.code === 'FST_ERR_BAD_URL')
    return sendProblem(request, reply, 400, 'bad_request', 'The URL is malformed (invalid percent-encoding)');
  return sendInternalError(request, reply, error, 'router error');
}

const CLIENT_ERRORS: Record<string, { status: number; code: ProblemCode; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'header_too_large', detail: 'The request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    detail: 'The request took too long to arrive',
  },
};

/**
 * The server's `clientError`: Node could not parse the request (oversized headers, garbage), so
 * there is no request object; the problem is written on the socket, which is then closed.
 */
export function clientErrorProblem(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = (error.code && CLIENT_ERRORS[error.code]) || {
    status: 400,
    code: 'bad_request' as const,
    detail: 'The request is not valid HTTP/1.1',
  };
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(problem(known.status, known.code, known.detail));
  socket.end(
    `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

function fieldErrors(error: FastifyError): FieldError[] {
  const context = error.validationContext ?? 'body';
  return ((error.validation ?? []) as ValidationIssue[]).map((issue) => {
    const { path, message } = fieldError(issue);
    return { path: context === 'body' ? path : `${context}:${path}`, message };
  });
}

/** Maps Fastify's own errors (parsing, limits, routing) to problem codes. One table, one place. */
const FASTIFY_CODES: Record<string, { status: number; code: ProblemCode; detail?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    detail: 'The request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', detail: 'The JSON body is empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    detail: 'The request body is too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    detail: 'Unsupported Content-Type; send application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request', detail: 'Invalid Content-Length' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_FILES_LIMIT: { status: 413, code: 'payload_too_large', detail: 'Send one file per request' },
  FST_PARTS_LIMIT: { status: 413, code: 'payload_too_large', detail: 'Too many parts in the multipart body' },
  FST_FIELDS_LIMIT: {
    status: 413,
    code: 'payload_too_large',
    detail: 'Too many fields in the multipart body',
  },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    detail: 'Send multipart/form-data with the file in the field "image"',
  },
};

export const problemPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return sendProblemDetails(request, reply, toProblem(error));
    }
    if (error.validation) {
      const errors = fieldErrors(error);
      const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ');
      return sendProblem(request, reply, 400, 'validation_failed', detail, { errors });
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return sendProblem(request, reply, known.status, known.code, known.detail ?? error.message);
    if (error instanceof SyntaxError)
      return sendProblem(request, reply, 400, 'invalid_json', 'The body is not valid JSON');
    if (isDatabaseUnavailable(error)) {
      // An outage, not a bug: worth a warning (the process keeps serving), never a 500.
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return sendProblemDetails(request, reply, toProblem(error));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(request, reply, status, status === 404 ? 'not_found' : 'bad_request', error.message);
    }
    return sendInternalError(request, reply, error, 'unhandled error');
  });

  // 405 needs to know which methods a path answers to: collected from the routes as they are
  // registered (catch-all routes such as the CORS preflight's `OPTIONS *` excepted).
  const methods = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url === '/*') return;
    for (const method of [route.method].flat()) methods.add(method);
  });
  const allowedMethods = (path: string) =>
    [...methods]
      .filter((method) => app.findRoute({ method: method as HTTPMethods, url: path }) !== null)
      .sort();

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = allowedMethods(path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(
        request,
        reply,
        405,
        'method_not_allowed',
        `${path} does not answer ${request.method}`,
      );
    }
    return sendProblem(request, reply, 404, 'not_found', `No route for ${request.method} ${path}`);
  });
});
