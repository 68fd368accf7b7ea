import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../lib/errors.js';
import type { SessionUser } from '../modules/auth/auth.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
  }
  interface FastifyInstance {
    /** onRequest guards: every protected route names one of these explicitly. */
    requireUser: (request: FastifyRequest) => Promise<void>;
    requireAdmin: (request: FastifyRequest) => Promise<void>;
    optionalUser: (request: FastifyRequest) => Promise<void>;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Use "Authorization: Bearer <token>"');
  return match[1];
}

export const authPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('user', null);

  const authenticate = async (request: FastifyRequest, required: boolean) => {
    const token = bearerToken(request);
    if (!token) {
      if (required) throw unauthorized();
      return;
    }
    request.user = await app.services.auth.authenticate(token);
  };

  app.decorate('requireUser', (request: FastifyRequest) => authenticate(request, true));
  app.decorate('optionalUser', (request: FastifyRequest) => authenticate(request, false));
  app.decorate('requireAdmin', async (request: FastifyRequest) => {
    await authenticate(request, true);
    if (!request.user?.isAdmin) throw forbidden('This needs an admin account');
  });
});

/** The signed-in user of a route guarded by requireUser/requireAdmin. */
export function currentUser(request: FastifyRequest): SessionUser {
  if (!request.user) throw unauthorized();
  return request.user;
}
