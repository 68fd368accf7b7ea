import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type RequestOptions } from '../api/client';

/**
 * A write to the API whose problem (if any) is shown by the caller next to the control, and
 * which refreshes the queries under `invalidate` when it succeeds.
 */
export function useAction<Input, Output = unknown>(
  toRequest: (input: Input) => [string, RequestOptions],
  invalidate: unknown[][],
  onSuccess?: (output: Output) => void,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: Input) => api<Output>(...toRequest(input)),
    onSuccess: async (output) => {
      await Promise.all(invalidate.map((queryKey) => client.invalidateQueries({ queryKey })));
      onSuccess?.(output);
    },
  });
}
