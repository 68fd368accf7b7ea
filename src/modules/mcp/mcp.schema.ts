import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { TSchema } from 'typebox';
import { type FieldError, ValidationError } from '../../lib/errors.js';
import { refuseNul } from '../../lib/nul.js';

type Json = { [key: string]: unknown };

/**
 * A TypeBox schema as the self-contained JSON Schema an MCP client receives. `$id`s are dropped:
 * a client compiles every tool's schema into one validator, where a repeated `$id` is an error.
 */
export function toJsonSchema(schema: TSchema): Json {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    const out: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$id') continue;
      if (key === '$ref') throw new Error(`MCP schemas must be self-contained, found $ref ${String(inner)}`);
      out[key] = strip(inner);
    }
    return out;
  };
  return strip(JSON.parse(JSON.stringify(schema))) as Json;
}

// The same rules as REST bodies: no coercion ("12" is not a quantity), unknown fields refused,
// defaults filled in, formats checked.
const ajv = new Ajv({
  coerceTypes: false,
  useDefaults: true,
  removeAdditional: false,
  strict: false,
  allErrors: false,
});
addFormats.default(ajv);

function fieldError(issue: ErrorObject): FieldError {
  if (issue.keyword === 'additionalProperties') {
    return {
      path: `${issue.instancePath}/${String(issue.params.additionalProperty)}`,
      message: 'is not an allowed field',
    };
  }
  if (issue.keyword === 'required') {
    return { path: `${issue.instancePath}/${String(issue.params.missingProperty)}`, message: 'is required' };
  }
  return { path: issue.instancePath || '/', message: issue.message ?? 'is invalid' };
}

/** Compiles once; the returned function fills defaults in place or throws validation_failed. */
export function argumentValidator<T>(schema: Json): (args: unknown) => T {
  const validate: ValidateFunction = ajv.compile(schema);
  return (args) => {
    const value = args ?? {};
    refuseNul(value);
    if (!validate(value)) throw new ValidationError((validate.errors ?? []).map(fieldError));
    return value as T;
  };
}
