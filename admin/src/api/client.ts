import { ApiError, toApiError } from './problem';
import { session, type Tokens } from './session';

type Body = Record<string, unknown> | FormData | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: Body;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One refresh at a time: concurrent 401s all wait for the same rotation (a spent refresh token would revoke the family). */
let refreshing: Promise<boolean> | null = null;

async function rotate(): Promise<boolean> {
  const refreshToken = session.refreshToken();
  if (!refreshToken) return false;
  const response = await fetch('/api/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  if (!response.ok) {
    session.clear();
    return false;
  }
  session.store((await response.json()) as Tokens);
  return true;
}

export function refreshSession(): Promise<boolean> {
  refreshing ??= rotate().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const token = session.accessToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  return fetch(`/api${path}`, { method: options.method ?? 'GET', headers, body, signal: options.signal });
}

/** A request to the public API with the admin's token; a 401 rotates the session once and retries. */
export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  if (!session.accessToken() && session.isSignedIn()) await refreshSession();
  let response = await send(path, options);
  if (response.status === 401 && (await refreshSession())) response = await send(path, options);
  if (!response.ok) throw await toApiError(response);
  return response;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await request(path, options);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** A paginated list: the bare array and its X-Total-Count. */
export async function apiPage<T>(path: string, signal?: AbortSignal): Promise<Page<T>> {
  const response = await request(path, { signal });
  const items = (await response.json()) as T[];
  return { items, total: Number(response.headers.get('x-total-count') ?? items.length) };
}

export async function login(username: string, password: string): Promise<void> {
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(username.includes('@') ? { email: username, password } : { username, password }),
  });
  if (!response.ok) throw await toApiError(response);
  const tokens = (await response.json()) as Tokens;
  session.store(tokens);
  const me = await api<{ is_admin: boolean }>('/users/me');
  if (!me.is_admin) {
    await logout();
    throw new ApiError({
      title: 'Forbidden',
      status: 403,
      detail: 'This account is not an admin',
      code: 'forbidden',
    });
  }
}

export async function logout(): Promise<void> {
  const refreshToken = session.refreshToken();
  session.clear();
  if (refreshToken) {
    await fetch('/api/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });
  }
}

/** A query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
