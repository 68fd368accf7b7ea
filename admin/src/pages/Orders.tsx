import { Anchor, Badge, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { apiPage, qs } from '../api/client';
import type { Order } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { dateTime, money } from '../components/format';
import { PAGE_SIZE, Pager } from '../components/Pager';

export const ORDER_STATUSES = ['awaiting_payment', 'pending', 'shipped', 'delivered', 'cancelled'];
export const PAYMENT_STATUSES = [
  'unpaid',
  'authorized',
  'paid',
  'partially_refunded',
  'refunded',
  'voided',
  'failed',
];
const COLORS: Record<string, string> = {
  pending: 'yellow',
  shipped: 'blue',
  delivered: 'green',
  cancelled: 'gray',
};

export function StatusBadge({ order }: { order: Pick<Order, 'status' | 'payment_status'> }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Badge color={COLORS[order.status] ?? 'orange'} variant="light">
        {order.status.replace('_', ' ')}
      </Badge>
      {order.payment_status && <Badge variant="outline">{order.payment_status.replace('_', ' ')}</Badge>}
    </Group>
  );
}

export function OrdersTable({ orders }: { orders: Order[] }) {
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Order</Table.Th>
            <Table.Th>Placed</Table.Th>
            <Table.Th>Customer</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th ta="right">Total</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {orders.map((order) => (
            <Table.Tr key={order.id}>
              <Table.Td>
                <Anchor component={Link} to={`/orders/${order.id}`}>
                  #{order.id}
                </Anchor>
              </Table.Td>
              <Table.Td>{dateTime(order.created_at)}</Table.Td>
              <Table.Td>
                {order.user_id ? (
                  <Anchor component={Link} to={`/customers/${order.user_id}`}>
                    user {order.user_id}
                  </Anchor>
                ) : (
                  'deleted account'
                )}
              </Table.Td>
              <Table.Td>
                <StatusBadge order={order} />
              </Table.Td>
              <Table.Td ta="right">{money(order.total)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function OrdersPage() {
  const [q, setQ] = useState('');
  const [search] = useDebouncedValue(q, 300);
  const [status, setStatus] = useState<string | null>(null);
  const [paymentStatus, setPaymentStatus] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [page, setPage] = useState(1);
  const params = {
    q: search,
    status,
    payment_status: paymentStatus,
    from: from && `${from}T00:00:00Z`,
    to: to && `${to}T23:59:59.999Z`,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  const orders = useQuery({
    queryKey: ['orders', params],
    queryFn: ({ signal }) => apiPage<Order>(`/admin/orders${qs(params)}`, signal),
    placeholderData: keepPreviousData,
  });
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setPage(1);
    };
  return (
    <Stack>
      <Title order={2}>Orders</Title>
      <Group align="end" wrap="wrap">
        <TextInput
          label="Search"
          description="Order id, username or email"
          value={q}
          onChange={(e) => filter(setQ)(e.currentTarget.value)}
        />
        <Select label="Status" clearable data={ORDER_STATUSES} value={status} onChange={filter(setStatus)} />
        <Select
          label="Payment"
          clearable
          data={PAYMENT_STATUSES}
          value={paymentStatus}
          onChange={filter(setPaymentStatus)}
        />
        <TextInput
          type="date"
          label="Placed from"
          value={from}
          onChange={(e) => filter(setFrom)(e.currentTarget.value)}
        />
        <TextInput
          type="date"
          label="Placed to"
          value={to}
          onChange={(e) => filter(setTo)(e.currentTarget.value)}
        />
      </Group>
      <ErrorNote error={orders.error} />
      {orders.data && (
        <>
          <OrdersTable orders={orders.data.items} />
          <Pager total={orders.data.total} page={page} onChange={setPage} />
        </>
      )}
    </Stack>
  );
}
