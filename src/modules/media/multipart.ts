import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';

/**
 * Multipart parsing for the upload routes only: registered inside their plugin, so every other
 * route keeps answering 415 to multipart bodies. Hard limits: one file of at most maxUploadBytes,
 * a handful of small text fields. Files are streamed by the route (request.file()), never buffered
 * by the plugin or spooled to a temporary directory.
 */
export async function registerMultipart(app: FastifyInstance, maxUploadBytes: number): Promise<void> {
  await app.register(multipart, {
    // readUpload checks file.truncated itself, to answer with the limit in its message.
    throwFileSizeLimit: false,
    limits: {
      files: 1,
      fileSize: maxUploadBytes,
      fields: 4,
      fieldSize: 1024,
      fieldNameSize: 100,
      parts: 5,
      headerPairs: 20,
    },
  });
}
