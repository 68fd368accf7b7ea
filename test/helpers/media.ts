import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import type { Db } from '../../src/db/database.js';
import { LocalDiskStorage, type Storage } from '../../src/modules/media/storage.js';
import type { TestApp } from './app.js';
import { addDefaultVariants } from './variants.js';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/** A real image of the given format and size, drawn by sharp. */
export function makeImage(format: ImageFormat, width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 180, g: 40, b: 90 } } })
    .toFormat(format)
    .toBuffer();
}

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

/** A multipart/form-data body as an API client (Insomnia, curl -F) sends it. */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----mercato${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(part.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** Uploads one file in the field "image" (or another field) to a route. */
export function upload(
  t: TestApp,
  url: string,
  token: string | undefined,
  data: Buffer | string,
  options: { filename?: string; contentType?: string; field?: string; method?: 'POST' | 'PUT' } = {},
) {
  const body = multipart([
    {
      name: options.field ?? 'image',
      filename: options.filename ?? 'photo.png',
      contentType: options.contentType ?? 'image/png',
      data,
    },
  ]);
  return t.request({ method: options.method ?? 'POST', url, token, ...body });
}

let productSequence = 0;

/** A product row inserted directly, independent of the catalog routes. */
export async function insertProduct(db: Db): Promise<number> {
  const now = new Date().toISOString();
  productSequence += 1;
  let category = await db.selectFrom('categories').select('id').orderBy('id').executeTakeFirst();
  if (!category) {
    category = await db
      .insertInto('categories')
      .values({ name: 'Images', name_key: 'images', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
  }
  const row = await db
    .insertInto('products')
    .values({
      name: `Pictured ${productSequence}`,
      description: 'A product with pictures',
      price_cents: 1999,
      stock: 5,
      category_id: Number(category.id),
      offer_id: null,
      serialized: 0,
      archived_at: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await addDefaultVariants(db, [row.id]);
  return Number(row.id);
}

/** Every file under the upload directory, as storage keys ("ab/<hex>.png"). */
export function filesIn(dir: string): string[] {
  const walk = (path: string): string[] =>
    readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(path, entry.name)) : [relative(dir, join(path, entry.name))],
    );
  return walk(dir).sort();
}

/** Every file the database references. */
export async function referencedFiles(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('media').select(['storage_key', 'thumbnail_key']).execute();
  return rows.flatMap((row) => [row.storage_key, row.thumbnail_key]).sort();
}

/** The storage key of a /media/... URL. */
export const keyOf = (url: string) => url.replace(/^\/media\//, '');

/**
 * True when a raw EXIF block (as sharp's metadata().exif gives it) has a GPS IFD: tag 0x8825 in
 * IFD0 of its TIFF structure.
 */
export function hasGpsIfd(exif: Buffer | undefined): boolean {
  if (!exif) return false;
  const tiff = exif.subarray(exif.indexOf('Exif\0\0') === 0 ? 6 : 0);
  const little = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd = u32(4);
  const count = u16(ifd);
  for (let i = 0; i < count; i += 1) if (u16(ifd + 2 + i * 12) === 0x8825) return true;
  return false;
}

/**
 * Local-disk storage that runs `afterThumbnail` once a thumbnail file is written: the moment
 * between "files on disk" and "row committed" where tests make the database step fail.
 */
export function storageWithHook(dir: string, afterThumbnail: (key: string) => Promise<void>): Storage {
  const disk = new LocalDiskStorage(dir);
  return {
    url: (key) => disk.url(key),
    open: (key) => disk.open(key),
    delete: (key) => disk.delete(key),
    list: () => disk.list(),
    async put(key, data) {
      await disk.put(key, data);
      if (key.endsWith('-thumb.webp')) await afterThumbnail(key);
    },
  };
}
