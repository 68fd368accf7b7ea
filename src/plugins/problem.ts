import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DATABASE_RETRY_AFTER_SECONDS, databaseUnavailable, isDatabaseUnavailable } from '../db/errors.js';
import { AppError, type FieldError, type ProblemCode, titleFor } from '../lib/errors.js';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  instance: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: ProblemCode,
  detail: string,
  extensions: Record<string, unknown> = {},
): FastifyReply {
  const body: ProblemBody = {
    type: `https://mercato.dev/problems/${code.replaceAll('_', '-')}`,
    title: titleFor(status),
    status,
    detail,
    code,
    instance: request.url.split('?')[0] ?? request.url,
    ...extensions,
  };
  // A string payload bypasses the route's response serializer: problems have their own shape.
  return reply.code(status).type('application/problem+json; charset=utf-8').send(JSON.stringify(body));
}

interface AjvIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function fieldErrors(error: FastifyError): FieldError[] {
  const context = error.validationContext ?? 'body';
  return ((error.validation ?? []) as AjvIssue[]).map((issue) => {
    let path = issue.instancePath ?? '';
    let message = issue.message ?? 'is invalid';
    if (issue.keyword === 'additionalProperties') {
      path = `${path}/${String(issue.params?.additionalProperty)}`;
      message = 'is not an allowed field';
    } else if (issue.keyword === 'required') {
      path = `${path}/${String(issue.params?.missingProperty)}`;
      message = 'is required';
    }
    return { path: context === 'body' ? path || '/' : `${context}:${path || '/'}`, message };
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
      return sendProblem(request, reply, error.status, error.code, error.message, error.extensions);
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
      const problem = databaseUnavailable();
      return sendProblem(request, reply, problem.status, problem.code, problem.message);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(request, reply, status, status === 404 ? 'not_found' : 'bad_request', error.message);
    }
    // A bug: the log gets everything (with the request id), the client nothing it could exploit.
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      request,
      reply,
      500,
      'internal_error',
      'An unexpected error occurred; it has been logged',
      {
        request_id: request.id,
      },
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      404,
      'not_found',
      `No route for ${request.method} ${request.url.split('?')[0]}`,
    ),
  );
});
