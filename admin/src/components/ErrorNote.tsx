import { Alert } from '@mantine/core';
import { ApiError } from '../api/problem';

/** A failed request, said where it happened: the API's problem detail and its field messages. */
export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : null;
  return (
    <Alert color="red" title={title ?? problem?.title ?? 'Something went wrong'} role="alert" my="xs">
      {problem ? problem.detail : String(error)}
      {problem?.errors && (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.path + e.message}>
              <code>{e.path}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}

/** The API's message for one body field, for a form input's `error`. */
export const fieldError = (error: unknown, path: string) =>
  error instanceof ApiError ? error.fieldError(path) : undefined;
