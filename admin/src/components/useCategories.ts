import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Category } from '../api/types';

/** Every category (a shop has a few dozen; the API pages by 100). */
export const useCategories = () =>
  useQuery({
    queryKey: ['categories'],
    queryFn: ({ signal }) => api<Category[]>('/categories?limit=100', { signal }),
  });
