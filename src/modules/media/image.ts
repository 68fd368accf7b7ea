import { availableParallelism } from 'node:os';
import type { fileTypeFromBuffer } from 'file-type';
import type { Metadata, Sharp, default as sharp } from 'sharp';
import { AppError } from '../../lib/errors.js';

/** Decompression bombs: a small file can claim a huge canvas. Checked from the header first. */
export const MAX_PIXELS = 40_000_000;
export const THUMBNAIL_SIZE = 400;

const FORMATS = {
  'image/png': { ext: 'png', encode: (s: Sharp) => s.png({ compressionLevel: 6 }) },
  'image/jpeg': { ext: 'jpg', encode: (s: Sharp) => s.jpeg({ quality: 88 }) },
  'image/gif': { ext: 'gif', encode: (s: Sharp) => s.gif() },
  'image/webp': { ext: 'webp', encode: (s: Sharp) => s.webp({ quality: 88 }) },
} as const;
type ImageType = keyof typeof FORMATS;

export interface ProcessedImage {
  contentType: ImageType;
  ext: string;
  width: number;
  height: number;
  original: Buffer;
  thumbnail: Buffer;
}

// sharp (libvips) and file-type are loaded with the first upload, not at start: most processes
// of a shop never decode an image, and libvips alone holds ~10 MB. A server decodes untrusted
// images: no operation cache to grow, and a bounded number of images in flight so that N
// concurrent uploads cannot hold N full decodes in memory at once.
let imageLibraries:
  | Promise<{ sharp: typeof sharp; fileTypeFromBuffer: typeof fileTypeFromBuffer }>
  | undefined;
function loadImageLibraries() {
  imageLibraries ??= Promise.all([import('sharp'), import('file-type')]).then(([sharp, fileType]) => {
    sharp.default.cache(false);
    return { sharp: sharp.default, fileTypeFromBuffer: fileType.fileTypeFromBuffer };
  });
  return imageLibraries;
}

const MAX_IN_FLIGHT = Math.max(1, Math.min(4, availableParallelism()));
let inFlight = 0;
const waiting: Array<() => void> = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  // A finishing job hands its slot straight to the next waiter, so the count never overshoots.
  if (inFlight < MAX_IN_FLIGHT) inFlight += 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  }
}

const unsupported = (detail: string) => new AppError(415, 'unsupported_media_type', detail);
const ACCEPTED = 'Upload a PNG, JPEG, GIF or WebP image';

/**
 * Verifies that the bytes are an image of an accepted format (never trusting the file name or the
 * declared type), then re-encodes it: orientation applied, all metadata (EXIF, GPS, XMP, ICC
 * comments) dropped, plus a WebP thumbnail of the first frame.
 */
export async function processImage(data: Buffer): Promise<ProcessedImage> {
  const { sharp, fileTypeFromBuffer } = await loadImageLibraries();
  const detected = await fileTypeFromBuffer(data);
  if (!detected || !(detected.mime in FORMATS)) {
    throw unsupported(`The file is not an image of an accepted type. ${ACCEPTED}.`);
  }
  const contentType = detected.mime as ImageType;
  const format = FORMATS[contentType];
  // failOn 'error': a truncated or corrupt file is refused, not stored half-grey.
  const input = { failOn: 'error', limitInputPixels: MAX_PIXELS } as const;

  let header: Metadata;
  try {
    // Header only: the pixel limit is checked here so the answer can say why.
    header = await sharp(data, { ...input, limitInputPixels: false }).metadata();
  } catch {
    throw unsupported(`The image could not be read. ${ACCEPTED}.`);
  }
  const frames = header.pages ?? 1;
  const pixels = (header.width ?? 0) * (header.pageHeight ?? header.height ?? 0) * frames;
  if (pixels > MAX_PIXELS) {
    throw new AppError(
      413,
      'payload_too_large',
      `The image has ${(pixels / 1e6).toFixed(1)} megapixels${frames > 1 ? ` over ${frames} frames` : ''}; at most ${MAX_PIXELS / 1e6} megapixels are accepted`,
    );
  }

  return limited(async () => {
    try {
      // Animated GIF/WebP keep their frames in the original; the thumbnail is the first frame.
      const animated = frames > 1;
      const original = await format
        .encode(sharp(data, { ...input, animated }).autoOrient())
        .toBuffer({ resolveWithObject: true });
      const thumbnail = await sharp(data, { ...input, pages: 1 })
        .autoOrient()
        .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
      return {
        contentType,
        ext: format.ext,
        width: original.info.width,
        height: original.info.pageHeight ?? original.info.height,
        original: original.data,
        thumbnail,
      };
    } catch {
      throw unsupported(`The image data is damaged or incomplete. ${ACCEPTED}.`);
    }
  });
}
