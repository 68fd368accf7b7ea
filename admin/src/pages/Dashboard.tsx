import { BarChart } from '@mantine/charts';
import {
  Anchor,
  Card,
  Group,
  Loader,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, apiPage, qs } from '../api/client';
import type { InventoryItem, Order, SalesReport } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { dayOf, money } from '../components/format';
import { OrdersTable } from './Orders';

const PRESETS = { '7': '7 days', '30': '30 days', '90': '90 days' } as const;

function rangeOf(days: number) {
  const to = new Date();
  return { from: dayOf(new Date(to.getTime() - (days - 1) * 86_400_000)), to: dayOf(to) };
}

export function DashboardPage() {
  const [preset, setPreset] = useState<string>('30');
  const [range, setRange] = useState(rangeOf(30));
  const interval = preset === '90' ? 'week' : 'day';
  const report = useQuery({
    queryKey: ['report', range, interval],
    queryFn: ({ signal }) =>
      api<SalesReport>(`/admin/reports/sales${qs({ ...range, interval })}`, { signal }),
  });
  const stock = useQuery({
    queryKey: ['inventory', 'reorder'],
    queryFn: ({ signal }) =>
      apiPage<InventoryItem>(`/admin/inventory${qs({ reorder: true, limit: 8 })}`, signal),
  });
  const latest = useQuery({
    queryKey: ['orders', 'latest'],
    queryFn: ({ signal }) => apiPage<Order>(`/admin/orders${qs({ limit: 8 })}`, signal),
  });
  const currency = report.data?.currency;

  return (
    <Stack>
      <Group justify="space-between" align="end" wrap="wrap">
        <Title order={2}>Dashboard</Title>
        <Group align="end" wrap="wrap">
          <SegmentedControl
            aria-label="Range"
            value={preset}
            onChange={(value) => {
              setPreset(value);
              if (value !== 'custom') setRange(rangeOf(Number(value)));
            }}
            data={[
              ...Object.entries(PRESETS).map(([value, label]) => ({ value, label })),
              { value: 'custom', label: 'Custom' },
            ]}
          />
          {preset === 'custom' && (
            <>
              <TextInput
                type="date"
                label="From"
                value={range.from}
                onChange={(e) => setRange({ ...range, from: e.currentTarget.value })}
              />
              <TextInput
                type="date"
                label="To"
                value={range.to}
                onChange={(e) => setRange({ ...range, to: e.currentTarget.value })}
              />
            </>
          )}
        </Group>
      </Group>
      <ErrorNote error={report.error} title="The sales report could not load" />
      <SimpleGrid cols={{ base: 1, xs: 3 }} aria-busy={report.isPending}>
        <Kpi
          label="Revenue"
          value={report.data && money(report.data.totals.revenue, currency)}
          testId="kpi-revenue"
        />
        <Kpi label="Orders" value={report.data && String(report.data.totals.orders)} testId="kpi-orders" />
        <Kpi
          label="Average order value"
          value={report.data && money(report.data.totals.average_order_value, currency)}
          testId="kpi-aov"
        />
      </SimpleGrid>
      <Card withBorder>
        <Title order={3} size="h5" mb="sm">
          Sales over time
        </Title>
        {report.data ? (
          <BarChart
            h={240}
            data={report.data.series}
            dataKey="period"
            series={[{ name: 'revenue', label: 'Revenue', color: 'blue.6' }]}
            valueFormatter={(value) => money(value, currency)}
            aria-label={`Revenue per ${interval}`}
            role="img"
          />
        ) : (
          <Loader aria-label="Loading the chart" />
        )}
      </Card>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={3} size="h5" mb="sm">
            Top products
          </Title>
          <Table.ScrollContainer minWidth={280}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Product</Table.Th>
                  <Table.Th ta="right">Units</Table.Th>
                  <Table.Th ta="right">Revenue</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.data?.top_products.map((p) => (
                  <Table.Tr key={p.product_id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/products/${p.product_id}`}>
                        {p.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ta="right">{p.units}</Table.Td>
                    <Table.Td ta="right">{money(p.revenue, currency)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {report.data?.top_products.length === 0 && <Text c="dimmed">No sales in this range.</Text>}
        </Card>
        <Card withBorder>
          <Title order={3} size="h5" mb="sm">
            Low stock
          </Title>
          <ErrorNote error={stock.error} />
          <Table.ScrollContainer minWidth={280}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Product</Table.Th>
                  <Table.Th ta="right">Stock</Table.Th>
                  <Table.Th ta="right">Days of cover</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {stock.data?.items.map((item) => (
                  <Table.Tr key={item.variant_id ?? item.product_id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/products/${item.product_id}`}>
                        {item.name}
                        {item.variant_title ? ` — ${item.variant_title}` : ''}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ta="right">{item.stock}</Table.Td>
                    <Table.Td ta="right">{item.days_of_cover ?? 'no sales'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {stock.data?.items.length === 0 && <Text c="dimmed">Nothing needs reordering.</Text>}
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Group justify="space-between" mb="sm">
          <Title order={3} size="h5">
            Latest orders
          </Title>
          <Anchor component={Link} to="/orders">
            All orders
          </Anchor>
        </Group>
        <ErrorNote error={latest.error} />
        {latest.data && <OrdersTable orders={latest.data.items} />}
      </Card>
    </Stack>
  );
}

function Kpi({ label, value, testId }: { label: string; value: string | undefined; testId: string }) {
  return (
    <Card withBorder>
      <Text size="sm" c="dimmed" id={`${testId}-label`}>
        {label}
      </Text>
      <Text fz={28} fw={700} aria-labelledby={`${testId}-label`} data-testid={testId}>
        {value ?? <Loader size="sm" aria-label={`Loading ${label.toLowerCase()}`} />}
      </Text>
    </Card>
  );
}
