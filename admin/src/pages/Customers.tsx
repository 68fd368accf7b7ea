import { Anchor, Badge, Stack, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { apiPage, qs } from '../api/client';
import type { User } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { dateTime } from '../components/format';
import { PAGE_SIZE, Pager } from '../components/Pager';

export function CustomersPage() {
  const [q, setQ] = useState('');
  const [search] = useDebouncedValue(q, 300);
  const [page, setPage] = useState(1);
  const params = { q: search, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE };
  const users = useQuery({
    queryKey: ['users', params],
    queryFn: ({ signal }) => apiPage<User>(`/admin/users${qs(params)}`, signal),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack>
      <Title order={2}>Customers</Title>
      <TextInput
        label="Search"
        description="Username or email"
        value={q}
        onChange={(e) => {
          setQ(e.currentTarget.value);
          setPage(1);
        }}
      />
      <ErrorNote error={users.error} />
      {users.data && (
        <>
          <Table.ScrollContainer minWidth={480}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Username</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Since</Table.Th>
                  <Table.Th>Role</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.items.map((user) => (
                  <Table.Tr key={user.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/customers/${user.id}`} state={{ user }}>
                        {user.username}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{user.email ?? '—'}</Table.Td>
                    <Table.Td>{dateTime(user.created_at)}</Table.Td>
                    <Table.Td>{user.is_admin ? <Badge>admin</Badge> : 'customer'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager total={users.data.total} page={page} onChange={setPage} />
        </>
      )}
    </Stack>
  );
}
