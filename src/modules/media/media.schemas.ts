import { type Static, Type } from 'typebox';
import { RowId } from '../../lib/schemas.js';

export const GalleryImage = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  thumbnail_url: Type.String({ description: 'WebP, at most 400 px on the longer side' }),
  position: Type.Integer({ description: '0 is the main image (image_url)' }),
  content_type: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  bytes: Type.Integer({ description: 'Size of the stored (re-encoded) original' }),
  created_at: Type.String({ format: 'date-time' }),
});
export type GalleryImage = Static<typeof GalleryImage>;

export const ProductImageParams = Type.Object({
  id: RowId(),
  image_id: RowId(),
});

/**
 * Documents the multipart body in OpenAPI. It is not validated as JSON: the route reads the file
 * from the stream itself (readUpload), which answers 400/413/415 with problem details.
 */
export const ImageUploadBody = {
  content: {
    'multipart/form-data': {
      schema: Type.Object(
        {
          image: Type.String({
            format: 'binary',
            description:
              'PNG, JPEG, GIF or WebP; at most MAX_UPLOAD_BYTES (5 MiB by default) and 40 megapixels',
          }),
        },
        { required: ['image'] },
      ),
    },
  },
};
