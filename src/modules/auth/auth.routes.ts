import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { unauthorized } from '../../lib/errors.js';
import { problemResponses } from '../../lib/schemas.js';
import { bearerToken } from '../../plugins/auth.js';
import { LoginBody, RefreshBody, RegisterBody, RegisterResponse, TokenPair } from './auth.schemas.js';

function refreshTokenOf(
  request: FastifyRequest,
  body: { refresh_token?: string } | null | undefined,
): string {
  const token = body?.refresh_token ?? bearerToken(request);
  if (!token)
    throw unauthorized('Send the refresh token as "Authorization: Bearer <token>" or {"refresh_token"}');
  return token;
}

// The refresh token, as a bearer header or in the body (then the header is not needed).
const REFRESH_TOKEN: Record<string, string[]>[] = [{ refreshToken: [] }, {}];

export default async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { auth, users } = app.services;
  const authLimit = app.authRateLimit;

  app.post(
    '/register',
    {
      preHandler: authLimit.register,
      schema: {
        tags: ['auth'],
        operationId: 'register',
        summary: 'Create a customer account',
        body: RegisterBody,
        response: { 201: RegisterResponse, ...problemResponses(400, 409, 429) },
      },
    },
    async (request, reply) => {
      const user = await users.register(request.body);
      return reply.code(201).send({ message: 'User created', user });
    },
  );

  app.post(
    '/login',
    {
      preHandler: authLimit.login,
      schema: {
        tags: ['auth'],
        operationId: 'login',
        summary: 'Log in with username (or email) and password',
        description:
          'Unknown user and wrong password give the same 401. Rate-limited per IP and per username.',
        body: LoginBody,
        response: { 200: TokenPair, ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => auth.login(request.body),
  );

  app.post(
    '/refresh',
    {
      schema: {
        tags: ['auth'],
        operationId: 'refreshToken',
        summary: 'Exchange a refresh token for a new pair (rotation)',
        description:
          'The refresh token comes in "Authorization: Bearer" (as seed 003) or the body. It is spent; presenting it again revokes its whole family.',
        security: REFRESH_TOKEN,
        body: Type.Optional(RefreshBody),
        response: { 200: TokenPair, ...problemResponses(400, 401) },
      },
    },
    async (request) => auth.refresh(refreshTokenOf(request, request.body)),
  );

  app.post(
    '/logout',
    {
      schema: {
        tags: ['auth'],
        operationId: 'logout',
        summary: 'Revoke the refresh token family of this session',
        description: 'The refresh token comes in "Authorization: Bearer" or the body, as for refresh.',
        security: REFRESH_TOKEN,
        body: Type.Optional(RefreshBody),
        response: { 204: Type.Null(), ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => {
      await auth.logout(refreshTokenOf(request, request.body));
      return reply.code(204).send(null);
    },
  );
}
