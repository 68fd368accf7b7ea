import {
  Anchor,
  Button,
  Card,
  Group,
  NumberInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import type { Order, OrderEvent } from '../api/types';
import { ErrorNote, fieldError } from '../components/ErrorNote';
import { dateTime, money } from '../components/format';
import { useAction } from '../components/useAction';
import { StatusBadge } from './Orders';

export function OrderPage() {
  const id = Number(useParams().id);
  const order = useQuery({
    queryKey: ['orders', id],
    queryFn: ({ signal }) => api<Order>(`/orders/${id}`, { signal }),
  });
  if (order.error) return <ErrorNote error={order.error} title={`Order #${id} could not load`} />;
  if (!order.data) return <Text>Loading order #{id}…</Text>;
  const o = order.data;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Order #{o.id}</Title>
        <StatusBadge order={o} />
      </Group>
      <Text size="sm" c="dimmed">
        Placed {dateTime(o.created_at)}
      </Text>
      <Card withBorder>
        <Title order={3} size="h5" mb="xs">
          Lines
        </Title>
        <Table.ScrollContainer minWidth={420}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Product</Table.Th>
                <Table.Th ta="right">Unit price</Table.Th>
                <Table.Th ta="right">Quantity</Table.Th>
                <Table.Th ta="right">Total</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {o.items.map((line, index) => (
                <Table.Tr key={`${line.product_id}-${line.variant_id ?? index}`}>
                  <Table.Td>
                    <Anchor component={Link} to={`/products/${line.product_id}`}>
                      {line.product_name}
                    </Anchor>
                    {line.variant_title ? ` — ${line.variant_title}` : ''}
                    {line.sku && <Text size="xs">SKU {line.sku}</Text>}
                    {line.serial_numbers && line.serial_numbers.length > 0 && (
                      <Text size="xs">Serials: {line.serial_numbers.join(', ')}</Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">{money(line.unit_price)}</Table.Td>
                  <Table.Td ta="right">{line.quantity}</Table.Td>
                  <Table.Td ta="right">{money(line.line_total)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Text ta="right" fw={700}>
          Total {money(o.total)}
        </Text>
      </Card>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Customer order={o} />
        <PaymentCard order={o} />
        <ShipmentCard order={o} />
        <OrderTimeline order={o} />
      </SimpleGrid>
      <CancelCard order={o} />
    </Stack>
  );
}

function Customer({ order }: { order: Order }) {
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="xs">
        Customer
      </Title>
      {order.user_id === null ? (
        <Text>The account was deleted; the order stays for accounting.</Text>
      ) : (
        <Anchor component={Link} to={`/customers/${order.user_id}`}>
          Customer #{order.user_id} and their orders
        </Anchor>
      )}
      <Text size="sm" mt="xs">
        Ship to: {order.shipping_address ?? '—'}
      </Text>
    </Card>
  );
}

function PaymentCard({ order }: { order: Order }) {
  const [amount, setAmount] = useState<string | number>('');
  const [reason, setReason] = useState('');
  const keys = [['orders'], ['report']];
  const capture = useAction(() => [`/orders/${order.id}/capture`, { method: 'POST', body: {} }], keys);
  const refund = useAction(
    () => [
      `/orders/${order.id}/refunds`,
      { method: 'POST', body: { amount: Number(amount), ...(reason ? { reason } : {}) } },
    ],
    [...keys, ['order-events', order.id]],
    () => {
      setAmount('');
      setReason('');
    },
  );
  const payment = order.payment;
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="xs">
        Payment
      </Title>
      {payment ? (
        <Stack gap={4}>
          <Text>
            {payment.provider}: {payment.status.replace('_', ' ')}
          </Text>
          <Text size="sm">
            Captured {money(payment.amount_captured)} of {money(payment.amount)}; refunded{' '}
            {money(payment.amount_refunded)}
          </Text>
        </Stack>
      ) : (
        <Text size="sm">No payment record{order.payment_status ? ` (${order.payment_status})` : ''}.</Text>
      )}
      {payment?.status === 'authorized' && (
        <>
          <Button mt="sm" onClick={() => capture.mutate(undefined)} loading={capture.isPending}>
            Capture payment
          </Button>
          <ErrorNote error={capture.error} title="Capture failed" />
        </>
      )}
      {payment && payment.amount_captured > payment.amount_refunded && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            refund.mutate(undefined);
          }}
        >
          <Group align="end" mt="sm" wrap="wrap">
            <NumberInput
              label="Refund amount"
              min={0.01}
              max={payment.amount_captured - payment.amount_refunded}
              decimalScale={2}
              value={amount}
              onChange={setAmount}
              required
              error={fieldError(refund.error, '/amount')}
            />
            <TextInput label="Reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
            <Button type="submit" loading={refund.isPending}>
              Refund
            </Button>
          </Group>
          <ErrorNote error={refund.error} title="Refund failed" />
          {refund.isSuccess && <Text role="status">Refund recorded.</Text>}
        </form>
      )}
    </Card>
  );
}

function ShipmentCard({ order }: { order: Order }) {
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [url, setUrl] = useState('');
  const keys = [['orders'], ['order-events', order.id], ['report']];
  const ship = useAction(
    () => [
      `/orders/${order.id}/shipments`,
      { method: 'POST', body: { carrier, tracking_number: tracking, ...(url ? { tracking_url: url } : {}) } },
    ],
    keys,
  );
  const deliver = useAction(() => [`/orders/${order.id}/deliver`, { method: 'POST' }], keys);
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="xs">
        Shipment
      </Title>
      {order.shipments?.map((s) => (
        <Text key={s.id} size="sm">
          {s.carrier}, tracking{' '}
          {s.tracking_url ? (
            <Anchor href={s.tracking_url} rel="noreferrer" target="_blank">
              {s.tracking_number}
            </Anchor>
          ) : (
            s.tracking_number
          )}{' '}
          ({dateTime(s.created_at)})
        </Text>
      ))}
      {order.status === 'pending' && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            ship.mutate(undefined);
          }}
        >
          <Stack gap="xs">
            <TextInput
              label="Carrier"
              required
              value={carrier}
              onChange={(e) => setCarrier(e.currentTarget.value)}
              error={fieldError(ship.error, '/carrier')}
            />
            <TextInput
              label="Tracking number"
              required
              value={tracking}
              onChange={(e) => setTracking(e.currentTarget.value)}
              error={fieldError(ship.error, '/tracking_number')}
            />
            <TextInput
              label="Tracking URL"
              type="url"
              value={url}
              onChange={(e) => setUrl(e.currentTarget.value)}
              error={fieldError(ship.error, '/tracking_url')}
            />
            <Button type="submit" loading={ship.isPending}>
              Ship order
            </Button>
            <ErrorNote error={ship.error} title="Could not ship" />
          </Stack>
        </form>
      )}
      {order.status === 'shipped' && (
        <>
          <Button mt="sm" onClick={() => deliver.mutate(undefined)} loading={deliver.isPending}>
            Mark delivered
          </Button>
          <ErrorNote error={deliver.error} title="Could not mark delivered" />
        </>
      )}
    </Card>
  );
}

function OrderTimeline({ order }: { order: Order }) {
  const events = useQuery({
    queryKey: ['order-events', order.id, order.status, order.payment_status],
    queryFn: ({ signal }) => api<OrderEvent[]>(`/orders/${order.id}/events`, { signal }),
  });
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="xs">
        Timeline
      </Title>
      <ErrorNote error={events.error} title="The timeline could not load" />
      <Timeline bulletSize={14} lineWidth={2}>
        {events.data?.map((event) => (
          <Timeline.Item key={`${event.type}-${event.at}`} title={event.type}>
            <Text size="xs" c="dimmed">
              {dateTime(event.at)} by {event.actor}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Card>
  );
}

function CancelCard({ order }: { order: Order }) {
  const cancel = useAction(
    () => [`/orders/${order.id}/cancel`, { method: 'POST' }],
    [['orders'], ['order-events', order.id], ['report']],
  );
  if (order.status === 'shipped' || order.status === 'delivered' || order.status === 'cancelled') return null;
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Text>Cancelling returns stock and units; a captured payment is refunded in full.</Text>
        <Button
          color="red"
          variant="outline"
          loading={cancel.isPending}
          onClick={() => window.confirm(`Cancel order #${order.id}?`) && cancel.mutate(undefined)}
        >
          Cancel order
        </Button>
      </Group>
      <ErrorNote error={cancel.error} title="Could not cancel" />
    </Card>
  );
}
