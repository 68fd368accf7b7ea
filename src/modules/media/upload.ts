import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../lib/errors.js';

export const UPLOAD_FIELD = 'image';
/** Room for the multipart boundaries and part headers around the file itself. */
const ENVELOPE_BYTES = 64 * 1024;

const tooLarge = (maxBytes: number) =>
  new AppError(
    413,
    'payload_too_large',
    `The file is larger than ${formatBytes(maxBytes)}; upload a smaller image`,
  );

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/**
 * A broken multipart body (no boundary, cut off before its end) surfaces as busboy's plain Error
 * or as a prematurely closed file stream: the client's fault, a 400. The plugin's own errors
 * (FST_* codes: limits, not multipart) keep their mapping in the error handler.
 */
function malformed(error: unknown): never {
  if (error instanceof AppError) throw error;
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && !(typeof code === 'string' && code.startsWith('FST_'))) {
    throw badRequest(`The multipart body is malformed or incomplete (${error.message})`);
  }
  throw error;
}

async function drain(file: MultipartFile): Promise<void> {
  file.file.resume();
  await new Promise<void>((resolve) => file.file.once('close', resolve).once('end', resolve));
}

/** One file part, checked and read into memory, cut off at maxBytes by the parser. */
async function readFilePart(file: MultipartFile, maxBytes: number): Promise<Buffer> {
  if (file.fieldname !== UPLOAD_FIELD) {
    await drain(file);
    throw badRequest(
      `The file was sent in the field "${file.fieldname}"; put it in the field "${UPLOAD_FIELD}"`,
    );
  }
  if (!file.filename) {
    await drain(file);
    throw badRequest('No file was selected (the file name is empty)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file.file as AsyncIterable<Buffer>) {
    if (file.file.truncated) break;
    chunks.push(chunk);
    size += chunk.length;
  }
  if (file.file.truncated) throw tooLarge(maxBytes);
  if (size === 0) throw badRequest('The file is empty');
  return Buffer.concat(chunks, size);
}

/**
 * Reads the one file of a multipart request, from the field "image", into memory and never more
 * than maxBytes: a declared length beyond the limit is refused before reading, and a stream that
 * passes it is cut off by the multipart parser. The whole body is read, so a second file is
 * refused (413, one file per request). A missing, unnamed or empty file is a 400.
 */
export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + ENVELOPE_BYTES) throw tooLarge(maxBytes);

  let data: Buffer | undefined;
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes } })) {
      if (part.type === 'file') data = await readFilePart(part, maxBytes);
    }
  } catch (error) {
    malformed(error);
  }
  if (!data) throw badRequest(`No file was sent: put the image in the multipart field "${UPLOAD_FIELD}"`);
  return data;
}
