import {
  ActionIcon,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Product } from '../api/types';
import { ErrorNote, fieldError } from '../components/ErrorNote';
import { useAction } from '../components/useAction';
import { useCategories } from '../components/useCategories';

interface OptionDraft {
  /** A stable React key while names are being typed. */
  key: number;
  name: string;
  values: string;
}
interface VariantDraft {
  option_values: Record<string, string>;
  sku: string;
  price: string | number;
  stock: string | number;
}

const valuesOf = (option: OptionDraft) =>
  option.values
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** Every combination of the options' values, as option_values objects. */
function combinations(options: OptionDraft[]): Array<Record<string, string>> {
  return options.reduce<Array<Record<string, string>>>(
    (acc, option) =>
      acc.flatMap((partial) => valuesOf(option).map((value) => ({ ...partial, [option.name]: value }))),
    [{}],
  );
}

export function NewProductPage() {
  const navigate = useNavigate();
  const categories = useCategories();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [price, setPrice] = useState<string | number>('');
  const [stock, setStock] = useState<string | number>(0);
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const [options, setOptions] = useState<OptionDraft[]>([]);
  const [variants, setVariants] = useState<VariantDraft[]>([]);

  const namedOptions = options.filter((o) => o.name.trim() && valuesOf(o).length > 0);
  const regenerate = (next: OptionDraft[]) => {
    setOptions(next);
    const named = next.filter((o) => o.name.trim() && valuesOf(o).length > 0);
    setVariants(
      named.length
        ? combinations(named).map((option_values) => ({ option_values, sku: '', price: '', stock: 0 }))
        : [],
    );
  };

  const create = useAction<void, Product>(
    () => [
      '/products',
      {
        method: 'POST',
        body: {
          name,
          ...(description ? { description } : {}),
          price: Number(price),
          category_id: Number(categoryId),
          ...(namedOptions.length
            ? {
                options: namedOptions.map((o) => ({ name: o.name.trim(), values: valuesOf(o) })),
                variants: variants.map((v) => ({
                  option_values: v.option_values,
                  ...(v.sku ? { sku: v.sku } : {}),
                  ...(v.price !== '' ? { price: Number(v.price) } : {}),
                  stock: Number(v.stock),
                })),
              }
            : { stock: Number(stock) }),
        },
      },
    ],
    [['products']],
    (product) => navigate(`/products/${product.id}`),
  );

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate();
      }}
    >
      <Stack maw={760}>
        <Title order={2}>New product</Title>
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldError(create.error, '/name')}
        />
        <Textarea
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={fieldError(create.error, '/description')}
        />
        <Group grow align="start">
          <NumberInput
            label="Price"
            required
            min={0}
            decimalScale={2}
            value={price}
            onChange={setPrice}
            error={fieldError(create.error, '/price')}
          />
          {namedOptions.length === 0 && (
            <NumberInput
              label="Stock"
              min={0}
              allowDecimal={false}
              value={stock}
              onChange={setStock}
              error={fieldError(create.error, '/stock')}
            />
          )}
        </Group>
        <Select
          label="Category"
          required
          searchable
          data={categories.data?.map((c) => ({ value: String(c.id), label: c.name })) ?? []}
          value={categoryId}
          onChange={setCategoryId}
          error={fieldError(create.error, '/category_id')}
        />
        <Card withBorder>
          <Title order={3} size="h5">
            Options and variants
          </Title>
          <Text size="sm" c="dimmed">
            Up to 3 options (e.g. Color: Red, Blue). Without options the product has one variant.
          </Text>
          {options.map((option, index) => (
            <Group key={option.key} align="end" mt="xs">
              <TextInput
                label={`Option ${index + 1} name`}
                value={option.name}
                onChange={(e) =>
                  regenerate(options.map((o, i) => (i === index ? { ...o, name: e.currentTarget.value } : o)))
                }
              />
              <TextInput
                label={`Option ${index + 1} values`}
                description="Comma-separated"
                value={option.values}
                onChange={(e) =>
                  regenerate(
                    options.map((o, i) => (i === index ? { ...o, values: e.currentTarget.value } : o)),
                  )
                }
              />
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Remove option ${index + 1}`}
                onClick={() => regenerate(options.filter((_, i) => i !== index))}
                size="lg"
              >
                ×
              </ActionIcon>
            </Group>
          ))}
          {options.length < 3 && (
            <Button
              variant="light"
              mt="sm"
              onClick={() => setOptions([...options, { key: Date.now(), name: '', values: '' }])}
            >
              Add option
            </Button>
          )}
          {variants.length > 0 && (
            <Table.ScrollContainer minWidth={480} mt="sm">
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Variant</Table.Th>
                    <Table.Th>SKU</Table.Th>
                    <Table.Th>Price</Table.Th>
                    <Table.Th>Stock</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {variants.map((variant, index) => {
                    const title = Object.values(variant.option_values).join(' / ');
                    const set = (patch: Partial<VariantDraft>) =>
                      setVariants(variants.map((v, i) => (i === index ? { ...v, ...patch } : v)));
                    return (
                      <Table.Tr key={title}>
                        <Table.Td>{title}</Table.Td>
                        <Table.Td>
                          <TextInput
                            aria-label={`SKU of ${title}`}
                            value={variant.sku}
                            onChange={(e) => set({ sku: e.currentTarget.value })}
                            error={fieldError(create.error, `/variants/${index}/sku`)}
                          />
                        </Table.Td>
                        <Table.Td>
                          <NumberInput
                            aria-label={`Price of ${title}`}
                            placeholder="Product's"
                            min={0}
                            decimalScale={2}
                            value={variant.price}
                            onChange={(price) => set({ price })}
                          />
                        </Table.Td>
                        <Table.Td>
                          <NumberInput
                            aria-label={`Stock of ${title}`}
                            min={0}
                            allowDecimal={false}
                            value={variant.stock}
                            onChange={(stock) => set({ stock })}
                          />
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>
        <ErrorNote error={create.error} title="Could not create the product" />
        <Group>
          <Button type="submit" loading={create.isPending}>
            Create product
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
