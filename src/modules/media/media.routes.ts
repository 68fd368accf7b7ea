import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { Type } from 'typebox';
import { IdParams, problemResponses } from '../../lib/schemas.js';
import { currentUser } from '../../plugins/auth.js';
import { Product } from '../products/products.schemas.js';
import { UserRef } from '../users/users.schemas.js';
import { GalleryImage, ImageUploadBody, ProductImageParams } from './media.schemas.js';
import { registerMultipart } from './multipart.js';
import { readUpload } from './upload.js';

const UPLOAD_RULES =
  'Multipart form with the file in the field `image`. Accepted when the bytes decode as PNG, JPEG, GIF or ' +
  'WebP, whatever the file name or declared type (415 otherwise); at most MAX_UPLOAD_BYTES, 5 MiB by default ' +
  '(413), and 40 megapixels (413). The stored copy is re-encoded with EXIF orientation applied and all ' +
  'metadata (EXIF, GPS) removed; a WebP thumbnail of at most 400 px is made. No file, an empty file name, an ' +
  'empty file or another field name is a 400 and changes nothing.';

/** Product and profile images. Multipart parsing is registered here only, for these routes. */
export default async function mediaRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { media, users } = app.services;
  const products = () => app.services.products;
  const { maxUploadBytes } = app.ctx.config;
  await registerMultipart(app, maxUploadBytes);

  // The multipart body is documented (OpenAPI) but read from the stream by readUpload, not
  // validated as a parsed body; params keep the app's own validator.
  const parentCompiler = app.validatorCompiler as FastifySchemaCompiler<unknown>;
  const multipartValidator: FastifySchemaCompiler<unknown> = (route) =>
    route.httpPart === 'body' ? () => true : parentCompiler(route);
  const ProductMessage = Type.Object({ message: Type.String(), product: Product });
  const UserMessage = Type.Object({ message: Type.String(), user: UserRef });

  app.post(
    '/products/:id/image',
    {
      onRequest: app.requireAdmin,
      validatorCompiler: multipartValidator,
      schema: {
        tags: ['images'],
        operationId: 'setProductImage',
        summary: "Set or replace a product's main image",
        description: `${UPLOAD_RULES} The previous main image and its files are removed.`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        body: ImageUploadBody,
        response: { 200: ProductMessage, ...problemResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => {
      const { id } = request.params;
      await media.checkProductUpload(id, 'main');
      await media.setProductImage(id, await readUpload(request, maxUploadBytes));
      return {
        message: 'Image uploaded successfully',
        product: await products().get(id, currentUser(request)),
      };
    },
  );

  app.get(
    '/products/:id/image',
    {
      onRequest: app.optionalUser,
      schema: {
        tags: ['images'],
        operationId: 'getProductImage',
        summary: 'A product with its image URLs',
        description: 'The product, as GET /api/products/{id} answers (seed 003 route).',
        params: IdParams,
        response: { 200: Product, ...problemResponses(404) },
      },
    },
    async (request) => products().get(request.params.id, request.user ?? undefined),
  );

  app.delete(
    '/products/:id/image',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['images'],
        operationId: 'deleteProductImage',
        summary: "Remove a product's main image",
        description: 'Its files are removed; the next gallery image, if any, becomes the main image.',
        params: IdParams,
        response: { 200: ProductMessage, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      await media.deleteProductImage(id);
      return {
        message: 'Image deleted successfully',
        product: await products().get(id, currentUser(request)),
      };
    },
  );

  app.post(
    '/products/:id/images',
    {
      onRequest: app.requireAdmin,
      validatorCompiler: multipartValidator,
      schema: {
        tags: ['images'],
        operationId: 'addProductGalleryImage',
        summary: 'Add a gallery image',
        description: `${UPLOAD_RULES} At most 8 images per product (409); the first one is the main image.`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        body: ImageUploadBody,
        response: { 201: GalleryImage, ...problemResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await media.checkProductUpload(id, 'gallery');
      const image = await media.addProductImage(id, await readUpload(request, maxUploadBytes));
      return reply.code(201).send(image);
    },
  );

  app.delete(
    '/products/:id/images/:image_id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['images'],
        operationId: 'deleteProductGalleryImage',
        summary: 'Delete a gallery image',
        description: 'Its files are removed; the images after it move up one position.',
        params: ProductImageParams,
        response: { 204: Type.Null(), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await media.deleteProductImage(request.params.id, request.params.image_id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/user/profile-image',
    {
      onRequest: app.requireUser,
      validatorCompiler: multipartValidator,
      schema: {
        tags: ['users', 'images'],
        operationId: 'setProfileImage',
        summary: 'Set or replace your profile image',
        description: `${UPLOAD_RULES} The previous image and its files are removed.`,
        consumes: ['multipart/form-data'],
        body: ImageUploadBody,
        response: { 200: UserMessage, ...problemResponses(400, 401, 413, 415) },
      },
    },
    async (request) => {
      const { id } = currentUser(request);
      await media.setProfileImage(id, await readUpload(request, maxUploadBytes));
      return { message: 'Profile image uploaded successfully', user: await users.get(id) };
    },
  );

  app.get(
    '/user/profile-image',
    {
      onRequest: app.requireUser,
      schema: {
        tags: ['users', 'images'],
        operationId: 'getProfileImage',
        summary: 'Your profile with its image URL',
        response: { 200: UserRef, ...problemResponses(401) },
      },
    },
    async (request) => users.get(currentUser(request).id),
  );

  app.delete(
    '/user/profile-image',
    {
      onRequest: app.requireUser,
      schema: {
        tags: ['users', 'images'],
        operationId: 'deleteProfileImage',
        summary: 'Remove your profile image',
        description: 'Its files are removed. 404 when you have none.',
        response: { 200: UserMessage, ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const { id } = currentUser(request);
      await media.deleteProfileImage(id);
      return { message: 'Profile image deleted successfully', user: await users.get(id) };
    },
  );
}
