import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation, useParams } from 'react-router';
import { apiPage, qs } from '../api/client';
import type { Order, User } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { dateTime } from '../components/format';
import { PAGE_SIZE, Pager } from '../components/Pager';
import { useAction } from '../components/useAction';
import { OrdersTable } from './Orders';

/**
 * The API has no "one user" admin route: the list links here with the user in the navigation
 * state; a direct visit finds it in the first 100 accounts.
 */
function useCustomer(id: number) {
  const fromList = (useLocation().state as { user?: User } | null)?.user;
  return useQuery({
    queryKey: ['users', 'one', id],
    queryFn: async ({ signal }) =>
      (await apiPage<User>('/admin/users?limit=100', signal)).items.find((u) => u.id === id) ?? null,
    initialData: fromList?.id === id ? fromList : undefined,
  });
}

export function CustomerPage() {
  const id = Number(useParams().id);
  const customer = useCustomer(id);
  const [page, setPage] = useState(1);
  const params = { user_id: id, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE };
  const orders = useQuery({
    queryKey: ['orders', params],
    queryFn: ({ signal }) => apiPage<Order>(`/admin/orders${qs(params)}`, signal),
  });
  const role = useAction<boolean, User>(
    (isAdmin) => [`/admin/users/${id}`, { method: 'PATCH', body: { is_admin: isAdmin } }],
    [['users']],
  );
  const user = role.data ?? customer.data;
  return (
    <Stack>
      <Title order={2}>{user ? user.username : `Customer #${id}`}</Title>
      <ErrorNote error={customer.error} />
      {user && (
        <Card withBorder>
          <Text>Email: {user.email ?? '—'}</Text>
          <Text>Name: {[user.first_name, user.last_name].filter(Boolean).join(' ') || '—'}</Text>
          <Text>Since: {dateTime(user.created_at)}</Text>
          <Group mt="sm">
            <Text fw={600}>{user.is_admin ? 'Admin' : 'Customer'}</Text>
            <Button variant="outline" loading={role.isPending} onClick={() => role.mutate(!user.is_admin)}>
              {user.is_admin ? 'Demote to customer' : 'Promote to admin'}
            </Button>
          </Group>
          <ErrorNote error={role.error} title="Could not change the role" />
        </Card>
      )}
      <Title order={3} size="h4">
        Orders
      </Title>
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
