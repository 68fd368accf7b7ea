import { Anchor, Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { apiPage, qs } from '../api/client';
import type { Product } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { money } from '../components/format';
import { PAGE_SIZE, Pager } from '../components/Pager';

export function ProductsPage() {
  const [q, setQ] = useState('');
  const [search] = useDebouncedValue(q, 300);
  const [page, setPage] = useState(1);
  const params = {
    q: search,
    sort: search ? undefined : 'newest',
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  const products = useQuery({
    queryKey: ['products', params],
    queryFn: ({ signal }) => apiPage<Product>(`/products${qs(params)}`, signal),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Products</Title>
        <Button component={Link} to="/products/new">
          New product
        </Button>
      </Group>
      <TextInput
        label="Search"
        description="Name, description or exact SKU"
        value={q}
        onChange={(e) => {
          setQ(e.currentTarget.value);
          setPage(1);
        }}
      />
      <ErrorNote error={products.error} />
      {products.data && (
        <>
          <Table.ScrollContainer minWidth={480}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Category</Table.Th>
                  <Table.Th ta="right">Price</Table.Th>
                  <Table.Th ta="right">Stock</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {products.data.items.map((product) => (
                  <Table.Tr key={product.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/products/${product.id}`}>
                        {product.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{product.category.name}</Table.Td>
                    <Table.Td ta="right">
                      {money(product.current_price)}
                      {product.offer && ` (${product.offer.name})`}
                    </Table.Td>
                    <Table.Td ta="right">{product.stock}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager total={products.data.total} page={page} onChange={setPage} />
        </>
      )}
    </Stack>
  );
}
