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
 * How deep a result schema spells out objects: a result's own fields; the objects inside its lists
 * and fields (a page's products, an order's lines) are listed as `object`. The structured content
 * still carries them in full, and the tool that fetches one (`get_product`, `get_order`) spells
 * out its fields. Without this the admin's tool list, re-read by the model every turn, passes 20 KB.
 */
const OUTPUT_DEPTH = 2;

/**
 * A TypeBox schema as the self-contained, compact JSON Schema an MCP client receives. `$id`s are
 * dropped: a client compiles every tool's schema into one validator, where a repeated `$id` is an
 * error. A result schema (`output`) also drops `required` and descriptions: the tool always sends
 * every field, the property names and types are what a reader needs, and the admin's tool list
 * stays small (it is re-read by the model on every turn).
 */
export function toJsonSchema(schema: TSchema, { output = false } = {}): Json {
  const strip = (value: unknown, depth: number): unknown => {
    if (Array.isArray(value)) return value.map((item) => strip(item, depth));
    if (value === null || typeof value !== 'object') return value;
    const node = value as Json;
    if (output && depth >= OUTPUT_DEPTH && 'properties' in node) return { type: node.type };
    let out: Json = {};
    for (const [key, inner] of Object.entries(node)) {
      if (key === '$id' || (output && (key === 'required' || key === 'description'))) continue;
      if (key === '$ref') throw new Error(`MCP schemas must be self-contained, found $ref ${String(inner)}`);
      const nested = key === 'properties' || key === 'items' ? depth + 1 : depth;
      out[key] =
        key === 'properties'
          ? Object.fromEntries(Object.entries(inner as Json).map(([name, p]) => [name, strip(p, nested)]))
          : strip(inner, nested);
    }
    if (Array.isArray(out.anyOf)) {
      const { anyOf, ...rest } = out;
      const compact = compactAnyOf(anyOf as Json[]);
      if (compact) out = { ...compact, ...rest };
    }
    return out;
  };
  return strip(JSON.parse(JSON.stringify(schema)), 0) as Json;
}

/** Bounds that only say what the database can store (an id's int4, the money ceiling): checked, not worth a model's reading. */
const STORAGE_LIMITS = new Set([2147483647, 99999999.99, 1000000000]);

/** An input schema as listed to clients: the same, less the storage-only maxima (the validator keeps them). */
export function withoutStorageLimits<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema), (key, value) =>
    key === '' || typeof value !== 'object' || value === null || !STORAGE_LIMITS.has(value.maximum)
      ? value
      : Object.fromEntries(Object.entries(value).filter(([name]) => name !== 'maximum')),
  ) as T;
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
