import type { ValidateFunction } from 'ajv';
import type { TSchema } from 'typebox';
import { ValidationError } from '../../lib/errors.js';
import { refuseNul } from '../../lib/nul.js';
import { createValidator, fieldError } from '../../lib/validation.js';

type Json = { [key: string]: unknown };

const onlyKeys = (value: Json, ...keys: string[]) => Object.keys(value).every((key) => keys.includes(key));

/**
 * The shortest equal form of an `anyOf` TypeBox writes: literals of one type become an `enum`, and
 * "a type or null" becomes `type: [T, "null"]`. Every tool list carries these schemas to a model.
 */
function compactAnyOf(branches: Json[]): Json | undefined {
  const [first] = branches;
  if (first && branches.every((b) => onlyKeys(b, 'type', 'const') && 'const' in b && b.type === first.type)) {
    return { type: first.type, enum: branches.map((b) => b.const) };
  }
  const other = branches.filter((b) => b.type !== 'null');
  const [only] = other;
  if (
    branches.length === 2 &&
    other.length === 1 &&
    only &&
    typeof only.type === 'string' &&
    onlyKeys(only, 'type')
  ) {
    return { type: [only.type, 'null'] };
  }
  return undefined;
}

/**
 * A TypeBox schema as the self-contained, compact JSON Schema an MCP client receives. `$id`s are
 * dropped: a client compiles every tool's schema into one validator, where a repeated `$id` is an
 * error. A result schema (`output`) also drops `required` and descriptions: the tool always sends
 * every field, the property names and types are what a reader needs, and the admin's tool list
 * stays small (it is re-read by the model on every turn).
 */
export function toJsonSchema(schema: TSchema, { output = false } = {}): Json {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    let out: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$id' || (output && (key === 'required' || key === 'description'))) continue;
      if (key === '$ref') throw new Error(`MCP schemas must be self-contained, found $ref ${String(inner)}`);
      out[key] = strip(inner);
    }
    if (Array.isArray(out.anyOf)) {
      const { anyOf, ...rest } = out;
      const compact = compactAnyOf(anyOf as Json[]);
      if (compact) out = { ...compact, ...rest };
    }
    return out;
  };
  return strip(JSON.parse(JSON.stringify(schema))) as Json;
}

// The same rules as REST bodies: no coercion ("12" is not a quantity), unknown fields refused.
const ajv = createValidator('json');

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
