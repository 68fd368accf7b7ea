import { Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { Category } from '../api/types';
import { ErrorNote, fieldError } from '../components/ErrorNote';
import { useAction } from '../components/useAction';
import { useCategories } from '../components/useCategories';

export function CategoriesPage() {
  const categories = useCategories();
  const [name, setName] = useState('');
  const create = useAction(
    () => ['/categories', { method: 'POST', body: { name } }],
    [['categories']],
    () => setName(''),
  );
  return (
    <Stack maw={720}>
      <Title order={2}>Categories</Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(undefined);
        }}
      >
        <Group align="end">
          <TextInput
            label="New category"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(create.error, '/name')}
          />
          <Button type="submit" loading={create.isPending}>
            Add category
          </Button>
        </Group>
        <ErrorNote error={create.error} title="Could not add the category" />
      </form>
      <ErrorNote error={categories.error} />
      <Table.ScrollContainer minWidth={360}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th ta="right">Products</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {categories.data?.map((category) => (
              <CategoryRow key={category.id} category={category} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function CategoryRow({ category }: { category: Category }) {
  const [name, setName] = useState(category.name);
  const rename = useAction(
    () => [`/categories/${category.id}`, { method: 'PATCH', body: { name } }],
    [['categories']],
  );
  const remove = useAction(() => [`/categories/${category.id}`, { method: 'DELETE' }], [['categories']]);
  const error = rename.error ?? remove.error;
  return (
    <Table.Tr>
      <Table.Td>
        <TextInput
          aria-label={`Name of category ${category.name}`}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldError(rename.error, '/name')}
        />
        {error && <ErrorNote error={error} title={category.name} />}
        {rename.isSuccess && (
          <Text size="xs" role="status">
            Renamed.
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">{category.product_count}</Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button
            size="xs"
            onClick={() => rename.mutate(undefined)}
            disabled={name === category.name}
            loading={rename.isPending}
            aria-label={`Rename ${category.name}`}
          >
            Rename
          </Button>
          <Button
            size="xs"
            variant="subtle"
            color="red"
            onClick={() => remove.mutate(undefined)}
            loading={remove.isPending}
            aria-label={`Delete ${category.name}`}
          >
            Delete
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
