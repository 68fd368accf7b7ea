import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Stack,
  Table,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import type { WebhookEndpoint } from '../api/types';
import { ErrorNote, fieldError } from '../components/ErrorNote';
import { useAction } from '../components/useAction';

export const EVENT_TYPES = [
  'order.created',
  'order.paid',
  'order.cancelled',
  'order.shipped',
  'order.delivered',
  'order.refunded',
  'product.created',
  'product.updated',
  'product.archived',
  'inventory.low_stock',
];

/** The signing secret, which the API shows only once: say so, and offer to copy it. */
export function SecretOnce({ secret }: { secret: string }) {
  return (
    <Alert color="yellow" title="Signing secret: copy it now, it is shown only once" role="status">
      <Group wrap="wrap">
        <Code data-testid="webhook-secret" style={{ wordBreak: 'break-all' }}>
          {secret}
        </Code>
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button size="xs" onClick={copy}>
              {copied ? 'Copied' : 'Copy secret'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Alert>
  );
}

export function WebhooksPage() {
  const endpoints = useQuery({
    queryKey: ['webhooks'],
    queryFn: ({ signal }) => api<WebhookEndpoint[]>('/admin/webhooks?limit=100', { signal }),
  });
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('*');
  const [description, setDescription] = useState('');
  const create = useAction<void, WebhookEndpoint>(
    () => [
      '/admin/webhooks',
      {
        method: 'POST',
        body: {
          url,
          events: events
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean),
          ...(description ? { description } : {}),
        },
      },
    ],
    [['webhooks']],
    () => {
      setUrl('');
      setDescription('');
    },
  );
  return (
    <Stack>
      <Title order={2}>Webhooks</Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <Group align="start" wrap="wrap">
          <TextInput
            label="Endpoint URL"
            type="url"
            required
            w={320}
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={fieldError(create.error, '/url')}
          />
          <TextInput
            label="Events"
            description={`Comma-separated, or * for all: ${EVENT_TYPES.join(', ')}`}
            required
            w={320}
            value={events}
            onChange={(e) => setEvents(e.currentTarget.value)}
            error={fieldError(create.error, '/events')}
          />
          <TextInput
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
        </Group>
        <Button type="submit" mt="sm" loading={create.isPending}>
          Add endpoint
        </Button>
        <ErrorNote error={create.error} title="Could not add the endpoint" />
      </form>
      {create.data?.secret && <SecretOnce secret={create.data.secret} />}
      <ErrorNote error={endpoints.error} />
      <Table.ScrollContainer minWidth={520}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>URL</Table.Th>
              <Table.Th>Events</Table.Th>
              <Table.Th>State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {endpoints.data?.map((endpoint) => (
              <Table.Tr key={endpoint.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/webhooks/${endpoint.id}`}>
                    {endpoint.url}
                  </Anchor>
                </Table.Td>
                <Table.Td>{endpoint.events.join(', ')}</Table.Td>
                <Table.Td>
                  {endpoint.enabled ? (
                    <Badge color="green">enabled</Badge>
                  ) : (
                    <Badge color="gray">disabled</Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
