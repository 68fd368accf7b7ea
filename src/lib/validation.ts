import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FieldError } from './errors.js';

/**
 * The app's one Ajv setup, for REST requests and MCP tool arguments. JSON (bodies, tool arguments)
 * is validated strictly: "12" is not a price, and unknown fields are refused, never stripped. Text
 * (query strings, path parameters) is coerced to the schema's types. Both fill in defaults and
 * check formats.
 */
export function createValidator(input: 'json' | 'text'): Ajv {
  const ajv = new Ajv({
    coerceTypes: input === 'text' ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
  });
  addFormats.default(ajv);
  return ajv;
}

export type ValidationIssue = Partial<Pick<ErrorObject, 'instancePath' | 'keyword' | 'params' | 'message'>>;

/** One Ajv issue as an entry of a problem's `errors`: the field's JSON pointer and what is wrong. */
export function fieldError(issue: ValidationIssue): FieldError {
  const at = issue.instancePath ?? '';
  if (issue.keyword === 'additionalProperties') {
    return { path: `${at}/${String(issue.params?.additionalProperty)}`, message: 'is not an allowed field' };
  }
  if (issue.keyword === 'required') {
    return { path: `${at}/${String(issue.params?.missingProperty)}`, message: 'is required' };
  }
  return { path: at || '/', message: issue.message ?? 'is invalid' };
}
