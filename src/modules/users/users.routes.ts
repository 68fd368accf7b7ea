import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, problems } from '../../lib/schemas.js';
import { currentUser } from '../../plugins/auth.js';
import {
  AdminUpdateUserBody,
  AdminUsersQuery,
  DeleteMeBody,
  UpdateMeBody,
  UserRef,
} from './users.schemas.js';

export default async function usersRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { users } = app.services;
  const security = [{ bearerAuth: [] }];

  app.get(
    '/users/me',
    {
      onRequest: app.requireUser,
      schema: {
        tags: ['users'],
        summary: 'Your profile',
        security,
        response: { 200: UserRef, ...problems(401) },
      },
    },
    async (request) => users.get(currentUser(request).id),
  );

  app.patch(
    '/users/me',
    {
      onRequest: app.requireUser,
      schema: {
        tags: ['users'],
        summary: 'Update your profile or password',
        description: 'A password change needs current_password and ends every session (log in again).',
        security,
        body: UpdateMeBody,
        response: { 200: UserRef, ...problems(400, 401, 409) },
      },
    },
    async (request) => users.updateMe(currentUser(request).id, request.body),
  );

  app.delete(
    '/users/me',
    {
      onRequest: app.requireUser,
      schema: {
        tags: ['users'],
        summary: 'Delete your account',
        description:
          'Deletes the account, its cart, image and sessions. Its orders stay, detached from the person.',
        security,
        body: DeleteMeBody,
        response: { 204: Type.Null(), ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      await users.deleteMe(currentUser(request).id, request.body.password);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/admin/users',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'List users',
        security,
        querystring: AdminUsersQuery,
        response: { 200: Type.Array(UserRef), ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      return sendPage(request, reply, page, await users.list(request.query.q, page.limit, page.offset));
    },
  );

  app.patch(
    '/admin/users/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Promote or demote a user',
        description: 'The last admin cannot be demoted (409).',
        security,
        params: IdParams,
        body: AdminUpdateUserBody,
        response: { 200: UserRef, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => users.setAdmin(request.params.id, request.body.is_admin),
  );
}
