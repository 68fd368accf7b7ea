import { Badge, Button, Card, Group, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router';
import { api } from '../api/client';
import type { WebhookDelivery, WebhookEndpoint } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { dateTime } from '../components/format';
import { useAction } from '../components/useAction';
import { SecretOnce } from './Webhooks';

const STATUS_COLORS = { pending: 'yellow', delivered: 'green', failed: 'red' } as const;

export function WebhookPage() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const endpoint = useQuery({
    queryKey: ['webhooks', id],
    queryFn: ({ signal }) => api<WebhookEndpoint>(`/admin/webhooks/${id}`, { signal }),
  });
  const deliveries = useQuery({
    queryKey: ['webhooks', id, 'deliveries'],
    queryFn: ({ signal }) => api<WebhookDelivery[]>(`/admin/webhooks/${id}/deliveries?limit=50`, { signal }),
  });
  const keys = [['webhooks']];
  const toggle = useAction<boolean>(
    (enabled) => [`/admin/webhooks/${id}`, { method: 'PATCH', body: { enabled } }],
    keys,
  );
  const rotate = useAction<void, { secret: string }>(
    () => [`/admin/webhooks/${id}/rotate-secret`, { method: 'POST' }],
    keys,
  );
  const remove = useAction(
    () => [`/admin/webhooks/${id}`, { method: 'DELETE' }],
    keys,
    () => navigate('/webhooks'),
  );
  const retry = useAction<number>(
    (deliveryId) => [`/admin/webhook-deliveries/${deliveryId}/retry`, { method: 'POST' }],
    keys,
  );

  if (endpoint.error) return <ErrorNote error={endpoint.error} title={`Endpoint #${id} could not load`} />;
  if (!endpoint.data) return <Text>Loading endpoint #{id}…</Text>;
  const e = endpoint.data;
  return (
    <Stack>
      <Title order={2} style={{ wordBreak: 'break-all' }}>
        {e.url}
      </Title>
      <Card withBorder>
        <Text>Events: {e.events.join(', ')}</Text>
        {e.description && <Text>{e.description}</Text>}
        <Group mt="sm" wrap="wrap">
          <Switch
            label="Enabled"
            checked={e.enabled}
            onChange={(event) => toggle.mutate(event.currentTarget.checked)}
            disabled={toggle.isPending}
          />
          <Button variant="light" onClick={() => rotate.mutate()} loading={rotate.isPending}>
            Rotate secret
          </Button>
          <Button
            variant="subtle"
            color="red"
            onClick={() => window.confirm('Delete this endpoint?') && remove.mutate(undefined)}
            loading={remove.isPending}
          >
            Delete endpoint
          </Button>
        </Group>
        <ErrorNote error={toggle.error ?? rotate.error ?? remove.error} />
        {rotate.data && <SecretOnce secret={rotate.data.secret} />}
      </Card>
      <Title order={3} size="h4">
        Deliveries
      </Title>
      <ErrorNote error={deliveries.error ?? retry.error} title="Deliveries" />
      <Table.ScrollContainer minWidth={640}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Event</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th ta="right">Attempts</Table.Th>
              <Table.Th>Last answer</Table.Th>
              <Table.Th>Next attempt</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {deliveries.data?.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  {d.event_type} <Text size="xs">{d.event_id}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLORS[d.status]}>{d.status}</Badge>
                </Table.Td>
                <Table.Td ta="right">{d.attempts}</Table.Td>
                <Table.Td>{d.last_status_code ?? d.last_error ?? '—'}</Table.Td>
                <Table.Td>{dateTime(d.next_attempt_at)}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    onClick={() => retry.mutate(d.id)}
                    aria-label={`Retry delivery ${d.id}`}
                  >
                    Retry
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {deliveries.data?.length === 0 && <Text c="dimmed">No deliveries yet.</Text>}
    </Stack>
  );
}
