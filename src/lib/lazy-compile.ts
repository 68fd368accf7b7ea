import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { ValidateFunction } from 'ajv';

// Fastify compiles every route's request validators (Ajv) and response serializers
// (fast-json-stringify) in `ready()`: about 0.4 s of CPU for this app, most of it for routes a
// given process may never serve. These wrappers compile a schema the first time it is used, so a
// process answers its first request sooner and holds only the code of the routes it serves.
// The cost moves to a route's first request (a few milliseconds); schemas are still checked at
// build time by the type provider, and every route is compiled by the tests.

/** An Ajv validator compiled on its first call; `errors` is the compiled one's, as Fastify reads it. */
export function lazyValidator(compile: () => ValidateFunction): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= compile();
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  }) as ValidateFunction;
  return validate;
}

type BuildSerializer = ReturnType<typeof SerializerSelector>;

/** Fastify's own serializer factory (fast-json-stringify), each route's serializer built on its first response. */
export const lazySerializerFactory: BuildSerializer = (externalSchemas, options) => {
  const compileSerializer = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data) => {
      serialize ??= compileSerializer(route);
      return serialize(data);
    };
  };
};
