import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, PageOf, problemResponses } from '../../lib/schemas.js';
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

  app.get(
    '/users/me',
    {
      onRequest: app.requireUser,
      schema: {
        tags: ['users'],
        operationId: 'getProfile',
        summary: 'Your profile',
        response: { 200: UserRef, ...problemResponses(401) },
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
        operationId: 'updateProfile',
        summary: 'Update your profile or password',
        description: 'A password change needs current_password and ends every session (log in again).',
        body: UpdateMeBody,
        response: { 200: UserRef, ...problemResponses(400, 401, 409) },
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
        operationId: 'deleteAccount',
        summary: 'Delete your account',
        description:
          'Deletes the account, its cart, image and sessions. Its orders stay, detached from the person.',
        body: DeleteMeBody,
        response: { 204: Type.Null(), ...problemResponses(400, 401) },
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
        operationId: 'listUsers',
        summary: 'List users',
        querystring: AdminUsersQuery,
        response: { 200: PageOf(UserRef), ...problemResponses(400, 401, 403) },
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
        operationId: 'setUserRole',
        summary: 'Promote or demote a user',
        description: 'The last admin cannot be demoted (409).',
        params: IdParams,
        body: AdminUpdateUserBody,
        response: { 200: UserRef, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => users.setAdmin(request.params.id, request.body.is_admin),
  );
}
