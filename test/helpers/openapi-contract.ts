import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.js';

interface Header {
  schema: object;
}
interface Response {
  $ref?: string;
  headers?: Record<string, Header>;
  content?: Record<string, { schema: object }>;
}
interface Operation {
  operationId: string;
  responses: Record<string, Response>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, Response> };
}

// A header documented on a response must be sent, except Link, which exists only when there is
// a next or previous page.
const CONDITIONAL_HEADERS = new Set(['link']);

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/**
 * Sends requests by OpenAPI operation (method + path template) and checks each answer against
 * the document: its status is documented, and a 2xx body and its documented headers validate
 * against their schemas (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
 */
export function contractClient(t: TestApp, document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: false });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi.json');
  const headerAjv = new Ajv2020({ strict: false, coerceTypes: true });
  const checked = new Set<string>();

  const validate = (ref: string, value: unknown, what: string) => {
    const check = ajv.getSchema(`openapi.json#${ref}`);
    assert.ok(check, `no schema at ${ref}`);
    assert.ok(
      check(value),
      `${what}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(value).slice(0, 500)}`,
    );
  };
  // Header values are text: "12" is a valid integer X-Total-Count.
  const validHeader = (schema: object, value: string) =>
    headerAjv.validate({ type: 'object', properties: { value: schema } }, { value });

  async function call(
    method: string,
    template: string,
    options: Omit<InjectOptions, 'method' | 'url'> & {
      params?: Record<string, string | number>;
      query?: string;
      token?: string;
    } = {},
  ): Promise<LightMyRequestResponse> {
    const { params = {}, query, ...rest } = options;
    const operation = document.paths[template]?.[method.toLowerCase()];
    assert.ok(operation, `${method} ${template} is not documented`);
    const url = template.replaceAll(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(String(params[name])),
    );
    const res = await t.request({
      method: method as InjectOptions['method'],
      url: query ? `${url}?${query}` : url,
      ...rest,
    });
    const status = String(res.statusCode);
    const what = `${operation.operationId} → ${status}`;
    const documented = operation.responses[status];
    assert.ok(documented, `${what} is not a documented status: ${res.body.slice(0, 300)}`);
    if (res.statusCode >= 300) return res;

    const base = pointer('', 'paths', template, method.toLowerCase(), 'responses', status);
    const content = documented.content ?? {};
    const types = Object.keys(content);
    if (types.length === 0) {
      assert.equal(res.body, '', `${what} documents no body`);
    } else {
      const type = String(res.headers['content-type']).split(';')[0]!;
      assert.ok(types.includes(type), `${what} sent ${type}, documented ${types.join(', ')}`);
      if (/[/+]json$/.test(type))
        validate(`${base}/content/${pointer(type)}/schema`, res.json(), `${what} body`);
      else assert.ok(res.rawPayload.length > 0, `${what} has a ${type} body`);
    }
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = res.headers[name.toLowerCase()];
      if (value === undefined && CONDITIONAL_HEADERS.has(name.toLowerCase())) continue;
      assert.ok(value !== undefined, `${what} documents the header ${name} but did not send it`);
      assert.ok(
        validHeader(header.schema, String(value)),
        `${what} header ${name}: "${value}" does not match ${JSON.stringify(header.schema)}`,
      );
    }
    checked.add(`${method.toUpperCase()} ${template}`);
    return res;
  }

  return {
    call,
    /** Operations with a documented 2xx that no call has exercised with a 2xx yet. */
    unchecked(): string[] {
      return Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, op]) => Object.keys(op.responses).some((s) => s.startsWith('2')))
          .map(([method]) => `${method.toUpperCase()} ${path}`)
          .filter((key) => !checked.has(key)),
      );
    },
  };
}
