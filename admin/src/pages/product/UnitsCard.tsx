import { Button, Card, Group, NumberInput, Select, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { apiPage, qs } from '../../api/client';
import type { Product, Unit } from '../../api/types';
import { ErrorNote, fieldError } from '../../components/ErrorNote';
import { useAction } from '../../components/useAction';

/** Serialized units: add some (serial numbers generated), list them by status. */
export function UnitsCard({ product }: { product: Product }) {
  const live = product.variants?.filter((v) => !v.archived) ?? [];
  const [count, setCount] = useState<string | number>(1);
  const [variantId, setVariantId] = useState<string | null>(live.length === 1 ? String(live[0]!.id) : null);
  const [status, setStatus] = useState<string | null>(null);
  const units = useQuery({
    queryKey: ['units', product.id, status],
    enabled: product.serialized,
    queryFn: ({ signal }) =>
      apiPage<Unit>(`/products/${product.id}/units${qs({ status, limit: 50 })}`, signal),
  });
  const add = useAction(
    () => [
      `/products/${product.id}/units`,
      {
        method: 'POST',
        body: {
          count: Number(count),
          ...(live.length > 1 && variantId ? { variant_id: Number(variantId) } : {}),
        },
      },
    ],
    [['products'], ['units', product.id]],
  );
  return (
    <Card withBorder>
      <Title order={3} size="h5">
        Serialized units
      </Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          add.mutate(undefined);
        }}
      >
        <Group align="end" wrap="wrap">
          {live.length > 1 && (
            <Select
              label="Variant"
              required
              data={live.map((v) => ({ value: String(v.id), label: v.title }))}
              value={variantId}
              onChange={setVariantId}
              error={fieldError(add.error, '/variant_id')}
            />
          )}
          <NumberInput
            label="Units to add"
            min={1}
            max={1000}
            allowDecimal={false}
            value={count}
            onChange={setCount}
            error={fieldError(add.error, '/count')}
          />
          <Button type="submit" variant="light" loading={add.isPending}>
            Add units
          </Button>
        </Group>
        <ErrorNote error={add.error} title="Could not add units" />
      </form>
      {product.serialized ? (
        <>
          <Select
            label="Show"
            mt="sm"
            w={200}
            clearable
            placeholder="All units"
            data={['available', 'sold']}
            value={status}
            onChange={setStatus}
          />
          <ErrorNote error={units.error} />
          <Table.ScrollContainer minWidth={360}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Serial number</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {units.data?.items.map((unit) => (
                  <Table.Tr key={unit.serial_number}>
                    <Table.Td>
                      <code>{unit.serial_number}</code>
                    </Table.Td>
                    <Table.Td>{unit.status}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {units.data && <Text size="sm">{units.data.total} units</Text>}
        </>
      ) : (
        <Text size="sm" mt="xs">
          Not serialized: adding units makes its stock the count of available units.
        </Text>
      )}
    </Card>
  );
}
