import { Button, Card, Group, NumberInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { Product, ProductOption, Variant } from '../../api/types';
import { ErrorNote, fieldError } from '../../components/ErrorNote';
import { useAction } from '../../components/useAction';

/** Options, then one editable row per variant (price, stock, SKU), then a form to add one. */
export function VariantsCard({ product }: { product: Product }) {
  return (
    <Card withBorder>
      <Title order={3} size="h5">
        Options and variants
      </Title>
      <OptionsEditor product={product} />
      <Table.ScrollContainer minWidth={620} mt="sm">
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Variant</Table.Th>
              <Table.Th>SKU</Table.Th>
              <Table.Th>Price</Table.Th>
              <Table.Th>Stock</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {product.variants
              ?.filter((v) => !v.archived)
              .map((variant) => (
                <VariantRow key={variant.id} variant={variant} />
              ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {!product.variants && <Text size="sm">This server lists no variants for products.</Text>}
      {product.options && product.options.length > 0 && (
        <NewVariant product={product} options={product.options} />
      )}
    </Card>
  );
}

function VariantRow({ variant }: { variant: Variant }) {
  const [sku, setSku] = useState(variant.sku ?? '');
  const [price, setPrice] = useState<string | number>(variant.price);
  const [stock, setStock] = useState<string | number>(variant.stock);
  useEffect(() => {
    setSku(variant.sku ?? '');
    setPrice(variant.price);
    setStock(variant.stock);
  }, [variant]);
  const keys = [['products']];
  const save = useAction(
    () => [
      `/variants/${variant.id}`,
      {
        method: 'PATCH',
        body: {
          sku: sku || null,
          price: Number(price),
          ...(variant.serialized ? {} : { stock: Number(stock) }),
        },
      },
    ],
    keys,
  );
  const archive = useAction(() => [`/variants/${variant.id}`, { method: 'DELETE' }], keys);
  const error = save.error ?? archive.error;
  return (
    <>
      <Table.Tr>
        <Table.Td>{variant.title}</Table.Td>
        <Table.Td>
          <TextInput
            aria-label={`SKU of ${variant.title}`}
            value={sku}
            onChange={(e) => setSku(e.currentTarget.value)}
            error={fieldError(save.error, '/sku')}
          />
        </Table.Td>
        <Table.Td>
          <NumberInput
            aria-label={`Price of ${variant.title}`}
            min={0}
            decimalScale={2}
            value={price}
            onChange={setPrice}
            error={fieldError(save.error, '/price')}
          />
        </Table.Td>
        <Table.Td>
          <NumberInput
            aria-label={`Stock of ${variant.title}`}
            min={0}
            allowDecimal={false}
            disabled={variant.serialized}
            value={stock}
            onChange={setStock}
            error={fieldError(save.error, '/stock')}
          />
        </Table.Td>
        <Table.Td>
          <Group gap="xs" wrap="nowrap">
            <Button
              size="xs"
              onClick={() => save.mutate(undefined)}
              loading={save.isPending}
              aria-label={`Save ${variant.title}`}
            >
              Save
            </Button>
            <Button
              size="xs"
              variant="subtle"
              color="red"
              onClick={() => archive.mutate(undefined)}
              loading={archive.isPending}
              aria-label={`Remove ${variant.title}`}
            >
              Remove
            </Button>
          </Group>
        </Table.Td>
      </Table.Tr>
      {(error || save.isSuccess) && (
        <Table.Tr>
          <Table.Td colSpan={5}>
            {error ? (
              <ErrorNote error={error} title={`${variant.title}: not saved`} />
            ) : (
              <Text role="status" size="sm">
                {variant.title} saved.
              </Text>
            )}
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

function NewVariant({ product, options }: { product: Product; options: ProductOption[] }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [sku, setSku] = useState('');
  const [price, setPrice] = useState<string | number>('');
  const [stock, setStock] = useState<string | number>(0);
  const add = useAction(
    () => [
      `/products/${product.id}/variants`,
      {
        method: 'POST',
        body: {
          option_values: values,
          ...(sku ? { sku } : {}),
          ...(price !== '' ? { price: Number(price) } : {}),
          stock: Number(stock),
        },
      },
    ],
    [['products']],
    () => {
      setSku('');
      setPrice('');
    },
  );
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        add.mutate(undefined);
      }}
    >
      <Title order={4} size="h6" mt="md">
        Add a variant
      </Title>
      <Group align="end" wrap="wrap">
        {options.map((option) => (
          <TextInput
            key={option.id}
            label={option.name}
            required
            value={values[option.name] ?? ''}
            onChange={(e) => setValues({ ...values, [option.name]: e.currentTarget.value })}
          />
        ))}
        <TextInput
          label="SKU"
          value={sku}
          onChange={(e) => setSku(e.currentTarget.value)}
          error={fieldError(add.error, '/sku')}
        />
        <NumberInput
          label="Price"
          placeholder="Product's"
          min={0}
          decimalScale={2}
          value={price}
          onChange={setPrice}
        />
        <NumberInput label="Stock" min={0} allowDecimal={false} value={stock} onChange={setStock} />
        <Button type="submit" loading={add.isPending}>
          Add variant
        </Button>
      </Group>
      <ErrorNote error={add.error} title="Could not add the variant" />
    </form>
  );
}

function OptionsEditor({ product }: { product: Product }) {
  const [name, setName] = useState('');
  const [values, setValues] = useState('');
  const list = values
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const add = useAction(
    () => [`/products/${product.id}/options`, { method: 'POST', body: { name, values: list } }],
    [['products']],
    () => {
      setName('');
      setValues('');
    },
  );
  return (
    <Stack gap={4} mt="xs">
      {product.options?.map((option) => (
        <Text key={option.id} size="sm">
          <strong>{option.name}</strong>: {option.values.join(', ')}
        </Text>
      ))}
      {(product.options?.length ?? 0) < 3 && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            add.mutate(undefined);
          }}
        >
          <Group align="end" wrap="wrap">
            <TextInput
              label="New option"
              placeholder="Color"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(add.error, '/name')}
            />
            <TextInput
              label="Its values"
              description="Comma-separated; existing variants get the first"
              required
              value={values}
              onChange={(e) => setValues(e.currentTarget.value)}
              error={fieldError(add.error, '/values')}
            />
            <Button type="submit" variant="light" loading={add.isPending}>
              Add option
            </Button>
          </Group>
          <ErrorNote error={add.error} title="Could not add the option" />
        </form>
      )}
    </Stack>
  );
}
