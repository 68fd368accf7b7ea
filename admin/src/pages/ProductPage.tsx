import {
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { api } from '../api/client';
import type { Offer, Product } from '../api/types';
import { ErrorNote, fieldError } from '../components/ErrorNote';
import { useAction } from '../components/useAction';
import { useCategories } from '../components/useCategories';
import { ImagesCard } from './product/ImagesCard';
import { UnitsCard } from './product/UnitsCard';
import { VariantsCard } from './product/VariantsCard';

export function ProductPage() {
  const id = Number(useParams().id);
  const product = useQuery({
    queryKey: ['products', id],
    queryFn: ({ signal }) => api<Product>(`/products/${id}`, { signal }),
  });
  if (product.error) return <ErrorNote error={product.error} title={`Product #${id} could not load`} />;
  if (!product.data) return <Text>Loading product #{id}…</Text>;
  const p = product.data;
  return (
    <Stack>
      <Title order={2}>{p.name}</Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <FieldsCard product={p} />
        <Stack>
          <OfferCard product={p} />
          <ImagesCard product={p} />
        </Stack>
      </SimpleGrid>
      <VariantsCard product={p} />
      <UnitsCard product={p} />
    </Stack>
  );
}

function FieldsCard({ product }: { product: Product }) {
  const categories = useCategories();
  const single = (product.variants?.length ?? 1) <= 1;
  const [fields, setFields] = useState({
    name: product.name,
    description: product.description,
    price: product.price as string | number,
    stock: product.stock as string | number,
    category_id: String(product.category_id),
  });
  useEffect(() => {
    setFields({
      name: product.name,
      description: product.description,
      price: product.price,
      stock: product.stock,
      category_id: String(product.category_id),
    });
  }, [product]);
  const save = useAction<void, Product>(
    () => [
      `/products/${product.id}`,
      {
        method: 'PATCH',
        body: {
          name: fields.name,
          description: fields.description,
          category_id: Number(fields.category_id),
          // Several variants: price and stock belong to each variant (the API answers 409 has_variants).
          ...(single ? { price: Number(fields.price) } : {}),
          ...(single && !product.serialized ? { stock: Number(fields.stock) } : {}),
        },
      },
    ],
    [['products'], ['report']],
  );
  return (
    <Card
      withBorder
      component="form"
      onSubmit={(event: React.FormEvent) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <Title order={3} size="h5">
        Details
      </Title>
      <Stack gap="xs">
        <TextInput
          label="Name"
          required
          value={fields.name}
          onChange={(e) => setFields({ ...fields, name: e.currentTarget.value })}
          error={fieldError(save.error, '/name')}
        />
        <Textarea
          label="Description"
          autosize
          minRows={2}
          value={fields.description}
          onChange={(e) => setFields({ ...fields, description: e.currentTarget.value })}
          error={fieldError(save.error, '/description')}
        />
        {single && (
          <Group grow align="start">
            <NumberInput
              label="Price"
              min={0}
              decimalScale={2}
              value={fields.price}
              onChange={(price) => setFields({ ...fields, price })}
              error={fieldError(save.error, '/price')}
            />
            <NumberInput
              label="Stock"
              min={0}
              allowDecimal={false}
              disabled={product.serialized}
              value={fields.stock}
              onChange={(stock) => setFields({ ...fields, stock })}
              error={fieldError(save.error, '/stock')}
            />
          </Group>
        )}
        <Select
          label="Category"
          data={categories.data?.map((c) => ({ value: String(c.id), label: c.name })) ?? []}
          value={fields.category_id}
          onChange={(value) => value && setFields({ ...fields, category_id: value })}
          error={fieldError(save.error, '/category_id')}
        />
        <ErrorNote error={save.error} title="Could not save" />
        {save.isSuccess && <Text role="status">Saved.</Text>}
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save details
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function OfferCard({ product }: { product: Product }) {
  const offers = useQuery({
    queryKey: ['offers'],
    queryFn: ({ signal }) => api<Offer[]>('/offers?limit=100', { signal }),
  });
  const current = offers.data?.find((o) => o.product_ids.includes(product.id));
  const attach = useAction<string | null, Product>(
    (offerId) => [
      `/products/${product.id}`,
      { method: 'PATCH', body: { offer_id: offerId === null ? null : Number(offerId) } },
    ],
    [['products'], ['offers']],
  );
  return (
    <Card withBorder>
      <Title order={3} size="h5">
        Offer
      </Title>
      <Select
        label="Offer"
        description={
          product.offer
            ? `Active now: ${product.offer.name} (−${product.offer.discount_percent}%)`
            : 'No offer active now'
        }
        clearable
        data={
          offers.data?.map((o) => ({ value: String(o.id), label: `${o.name} (−${o.discount_percent}%)` })) ??
          []
        }
        value={current ? String(current.id) : null}
        onChange={(value) => attach.mutate(value)}
        disabled={attach.isPending}
      />
      <ErrorNote error={offers.error ?? attach.error} title="Offer" />
    </Card>
  );
}
