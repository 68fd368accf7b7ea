import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { conflict, notFound, unauthorized } from '../../lib/errors.js';
import { lockUser, updateUser } from '../users/users.repository.js';
import { processImage } from './image.js';
import { removeMediaFiles } from './media.files.js';
import {
  compactPositions,
  countProductImages,
  deleteMediaRows,
  findMediaKeys,
  insertMedia,
  insertProductImage,
  lockProduct,
  type MediaKeys,
  productExists,
  productImages,
} from './media.repository.js';
import type { GalleryImage } from './media.schemas.js';

export const MAX_PRODUCT_IMAGES = 8;

interface NewMediaRow extends MediaKeys {
  content_type: string;
  width: number;
  height: number;
  bytes: number;
  created_at: string;
}

/** What a database step did: its result, and the media whose files may go once it has committed. */
interface Attached<T> {
  result: T;
  replaced: MediaKeys[];
}

const galleryFull = () =>
  conflict(`A product has at most ${MAX_PRODUCT_IMAGES} images; delete one before adding another`);

/**
 * Images of products and users. Files and rows change together: new files are written first, the
 * rows change in one transaction, the new files are removed if that fails, and the files of
 * replaced or deleted images are removed only after the commit (a crash in between leaves an
 * unreferenced file, never a URL that answers 404).
 */
export class MediaService {
  constructor(private readonly ctx: AppContext) {}

  private get lockRows(): boolean {
    return this.ctx.dialect === 'postgres';
  }

  /** Cheap checks before an upload is read and decoded; repeated inside the transaction. */
  async checkProductUpload(productId: number, kind: 'main' | 'gallery'): Promise<void> {
    if (!(await productExists(this.ctx.db, productId))) throw notFound('Product');
    if (kind === 'gallery' && (await countProductImages(this.ctx.db, productId)) >= MAX_PRODUCT_IMAGES) {
      throw galleryFull();
    }
  }

  /** Sets or replaces a product's main image (position 0). */
  async setProductImage(productId: number, data: Buffer): Promise<void> {
    await this.store(data, async (trx, media) => {
      if (!(await lockProduct(trx, productId, this.lockRows))) throw notFound('Product');
      const current = (await productImages(trx, productId)).find((image) => image.position === 0);
      if (!current && (await countProductImages(trx, productId)) >= MAX_PRODUCT_IMAGES) throw galleryFull();
      if (current) await deleteMediaRows(trx, [current.id]);
      await insertProductImage(trx, {
        product_id: productId,
        media_id: media.id,
        position: 0,
        created_at: media.created_at,
      });
      return { result: undefined, replaced: current ? [current] : [] };
    });
  }

  /** Adds an image after the product's last one (the first one becomes the main image). */
  async addProductImage(productId: number, data: Buffer): Promise<GalleryImage> {
    return this.store(data, async (trx, media) => {
      if (!(await lockProduct(trx, productId, this.lockRows))) throw notFound('Product');
      const images = await productImages(trx, productId);
      if (images.length >= MAX_PRODUCT_IMAGES) throw galleryFull();
      const position = images.length === 0 ? 0 : images[images.length - 1]!.position + 1;
      const id = await insertProductImage(trx, {
        product_id: productId,
        media_id: media.id,
        position,
        created_at: media.created_at,
      });
      const { storage } = this.ctx;
      return {
        result: {
          id,
          url: storage.url(media.storage_key),
          thumbnail_url: storage.url(media.thumbnail_key),
          position,
          content_type: media.content_type,
          width: media.width,
          height: media.height,
          bytes: media.bytes,
          created_at: media.created_at,
        },
        replaced: [],
      };
    });
  }

  /** Removes the main image; the next gallery image, if any, becomes the main one. */
  async deleteProductImage(productId: number, imageId?: number): Promise<void> {
    const removed = await this.ctx.db.transaction().execute(async (trx) => {
      if (!(await lockProduct(trx, productId, this.lockRows))) throw notFound('Product');
      const image = (await productImages(trx, productId)).find((row) =>
        imageId === undefined ? row.position === 0 : row.image_id === imageId,
      );
      if (!image) throw notFound(imageId === undefined ? 'Product image' : 'Image');
      await deleteMediaRows(trx, [image.id]);
      await compactPositions(trx, productId);
      return image;
    });
    await removeMediaFiles(this.ctx.storage, [removed]);
  }

  /**
   * Removes the files of media rows whose deletion has committed (for modules that delete media
   * rows in their own transaction, e.g. an account deletion). Failures leave orphans, never throw.
   */
  removeFiles(media: readonly MediaKeys[]): Promise<void> {
    return removeMediaFiles(this.ctx.storage, media);
  }

  /** The user's current profile image (null: none), the user row locked on PostgreSQL like a product. */
  private async lockUserProfile(trx: Trx, userId: number): Promise<{ media: MediaKeys | null } | undefined> {
    const user = await lockUser(trx, userId, this.lockRows);
    if (!user) return undefined;
    if (user.profile_media_id === null) return { media: null };
    const [media] = await findMediaKeys(trx, [user.profile_media_id]);
    return { media: media ?? null };
  }

  async setProfileImage(userId: number, data: Buffer): Promise<void> {
    await this.store(data, async (trx, media) => {
      const user = await this.lockUserProfile(trx, userId);
      if (!user) throw unauthorized('This account no longer exists');
      const old = user.media ? [user.media] : [];
      await updateUser(trx, userId, { profile_media_id: media.id, updated_at: media.created_at });
      await deleteMediaRows(
        trx,
        old.map((m) => m.id),
      );
      return { result: undefined, replaced: old };
    });
  }

  async deleteProfileImage(userId: number): Promise<void> {
    const removed = await this.ctx.db.transaction().execute(async (trx) => {
      const user = await this.lockUserProfile(trx, userId);
      if (!user) throw unauthorized('This account no longer exists');
      if (!user.media) throw notFound('Profile image');
      await updateUser(trx, userId, {
        profile_media_id: null,
        updated_at: this.ctx.clock.now().toISOString(),
      });
      await deleteMediaRows(trx, [user.media.id]);
      return user.media;
    });
    await removeMediaFiles(this.ctx.storage, [removed]);
  }

  /**
   * Decodes and re-encodes the upload, writes its files under a fresh random name, then records
   * it and runs attach in one transaction. If anything after the first write fails, the new
   * files are removed; after the commit, the files of the media attach replaced are removed.
   */
  private async store<T>(
    data: Buffer,
    attach: (trx: Trx, media: NewMediaRow) => Promise<Attached<T>>,
  ): Promise<T> {
    const image = await processImage(data);
    const name = randomBytes(16).toString('hex');
    const keys = {
      storage_key: `${name.slice(0, 2)}/${name}.${image.ext}`,
      thumbnail_key: `${name.slice(0, 2)}/${name}-thumb.webp`,
    };
    const { storage } = this.ctx;
    let outcome: Attached<T>;
    try {
      await storage.put(keys.storage_key, image.original, image.contentType);
      await storage.put(keys.thumbnail_key, image.thumbnail, 'image/webp');
      outcome = await this.ctx.db.transaction().execute(async (trx) => {
        const row = {
          ...keys,
          content_type: image.contentType,
          width: image.width,
          height: image.height,
          bytes: image.original.length,
          created_at: this.ctx.clock.now().toISOString(),
        };
        return attach(trx, { id: await insertMedia(trx, row), ...row });
      });
    } catch (error) {
      await removeMediaFiles(storage, [keys]);
      throw error;
    }
    await removeMediaFiles(storage, outcome.replaced);
    return outcome.result;
  }
}
