import { Button, Card, CloseButton, FileButton, Group, Image, Stack, Text, Title } from '@mantine/core';
import type { Product } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { useAction } from '../../components/useAction';

const ACCEPT = 'image/png,image/jpeg,image/gif,image/webp';

const upload = (file: File) => {
  const form = new FormData();
  form.append('image', file);
  return form;
};

/** The main image (the first; upload, replace, remove) and the gallery after it (add, remove). */
export function ImagesCard({ product }: { product: Product }) {
  const keys = [['products']];
  const setMain = useAction<File>(
    (file) => [`/products/${product.id}/image`, { method: 'POST', body: upload(file) }],
    keys,
  );
  const removeMain = useAction(() => [`/products/${product.id}/image`, { method: 'DELETE' }], keys);
  const addGallery = useAction<File>(
    (file) => [`/products/${product.id}/images`, { method: 'POST', body: upload(file) }],
    keys,
  );
  const removeGallery = useAction<number>(
    (imageId) => [`/products/${product.id}/images/${imageId}`, { method: 'DELETE' }],
    keys,
  );
  return (
    <Card withBorder>
      <Title order={3} size="h5">
        Images
      </Title>
      <Stack gap="xs">
        {product.image_url ? (
          <Image
            src={product.image_url}
            alt={`Main image of ${product.name}`}
            h={160}
            w="auto"
            fit="contain"
          />
        ) : (
          <Text size="sm">No main image.</Text>
        )}
        <Group>
          <FileButton onChange={(file) => file && setMain.mutate(file)} accept={ACCEPT}>
            {(props) => (
              <Button {...props} loading={setMain.isPending}>
                {product.image_url ? 'Replace main image' : 'Upload main image'}
              </Button>
            )}
          </FileButton>
          {product.image_url && (
            <Button
              variant="subtle"
              color="red"
              onClick={() => removeMain.mutate(undefined)}
              loading={removeMain.isPending}
            >
              Remove main image
            </Button>
          )}
        </Group>
        <ErrorNote error={setMain.error ?? removeMain.error} title="Main image" />
        <Text size="sm" fw={600}>
          Gallery
        </Text>
        <Group>
          {product.images.slice(1).map((image, index) => (
            <Stack key={image.id} gap={2} align="center">
              <Image
                src={image.thumbnail_url}
                alt={`Gallery image ${index + 1} of ${product.name}`}
                h={72}
                w={72}
                fit="cover"
              />
              <CloseButton
                aria-label={`Remove gallery image ${index + 1}`}
                onClick={() => removeGallery.mutate(image.id)}
              />
            </Stack>
          ))}
        </Group>
        <FileButton onChange={(file) => file && addGallery.mutate(file)} accept={ACCEPT}>
          {(props) => (
            <Button {...props} variant="light" loading={addGallery.isPending}>
              Add gallery image
            </Button>
          )}
        </FileButton>
        <ErrorNote error={addGallery.error ?? removeGallery.error} title="Gallery" />
      </Stack>
    </Card>
  );
}
