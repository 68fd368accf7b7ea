import { Button, Group, NumberInput, Stack, Table, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { Offer } from '../api/types';
import { ErrorNote, fieldError } from '../components/ErrorNote';
import { dateTime } from '../components/format';
import { useAction } from '../components/useAction';

/** A datetime-local value (no offset) read as UTC, as the screen says. */
const utc = (local: string) => (local ? `${local}:00Z` : '');

export function OffersPage() {
  const offers = useQuery({
    queryKey: ['offers'],
    queryFn: ({ signal }) => api<Offer[]>('/offers?limit=100', { signal }),
  });
  const [name, setName] = useState('');
  const [percent, setPercent] = useState<string | number>(10);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const create = useAction(
    () => [
      '/offers',
      {
        method: 'POST',
        body: { name, discount_percent: Number(percent), start_time: utc(start), end_time: utc(end) },
      },
    ],
    [['offers']],
    () => setName(''),
  );
  const remove = useAction<number>(
    (id) => [`/offers/${id}`, { method: 'DELETE' }],
    [['offers'], ['products']],
  );
  return (
    <Stack>
      <Title order={2}>Offers</Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(undefined);
        }}
      >
        <Group align="end" wrap="wrap">
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(create.error, '/name')}
          />
          <NumberInput
            label="Discount %"
            min={0.01}
            max={20}
            decimalScale={2}
            required
            value={percent}
            onChange={setPercent}
            error={fieldError(create.error, '/discount_percent')}
          />
          <TextInput
            type="datetime-local"
            label="Starts (UTC)"
            required
            value={start}
            onChange={(e) => setStart(e.currentTarget.value)}
            error={fieldError(create.error, '/start_time')}
          />
          <TextInput
            type="datetime-local"
            label="Ends (UTC)"
            required
            value={end}
            onChange={(e) => setEnd(e.currentTarget.value)}
            error={fieldError(create.error, '/end_time')}
          />
          <Button type="submit" loading={create.isPending}>
            Create offer
          </Button>
        </Group>
        <ErrorNote error={create.error} title="Could not create the offer" />
      </form>
      <ErrorNote error={offers.error ?? remove.error} />
      <Table.ScrollContainer minWidth={560}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th ta="right">Discount</Table.Th>
              <Table.Th>From</Table.Th>
              <Table.Th>Until</Table.Th>
              <Table.Th ta="right">Products</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {offers.data?.map((offer) => (
              <Table.Tr key={offer.id}>
                <Table.Td>{offer.name}</Table.Td>
                <Table.Td ta="right">{offer.discount_percent}%</Table.Td>
                <Table.Td>{dateTime(offer.start_time)}</Table.Td>
                <Table.Td>{dateTime(offer.end_time)}</Table.Td>
                <Table.Td ta="right">{offer.product_ids.length}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    onClick={() => remove.mutate(offer.id)}
                    aria-label={`Delete offer ${offer.name}`}
                  >
                    Delete
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
