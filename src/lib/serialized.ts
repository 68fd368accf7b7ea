import type { FastifyReply } from 'fastify';

/**
 * A route's answer turned into bytes by the route's own response serializer (which returns a
 * string), so that bytes kept in memory are exactly what the route would send.
 */
export const serializerOf =
  (reply: FastifyReply) =>
  (value: unknown): Buffer =>
    Buffer.from(reply.serialize(value) as string);

/** Sends bytes from serializerOf as they are (Fastify does not serialize a Buffer again). */
export const sendSerialized = (reply: FastifyReply, body: Buffer): FastifyReply =>
  reply.type('application/json; charset=utf-8').send(body);
