// The bench's own requests to the app: preparing fixtures and capturing the bytes the ceiling replays.
import { request } from 'node:http';

export type Headers = Record<string, string>;

export async function api(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return { res, text, json: text ? JSON.parse(text) : undefined };
}

export async function login(base: string, username: string, password: string): Promise<string> {
  return (await api(base, 'POST', '/api/login', { username, password })).json.access_token;
}

/** Registers a customer and returns an access token. */
export async function customer(base: string, name: string): Promise<string> {
  await api(base, 'POST', '/api/register', { username: name, password: 'bench-password-1' });
  return login(base, name, 'bench-password-1');
}

export interface RawResponse {
  status: number;
  headers: Headers;
  /** The body exactly as sent: compressed when the app compressed it (fetch would decode it). */
  body: Buffer;
}

export function rawGet(base: string, path: string, headers: Headers): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    request(new URL(path, base), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const flat: Headers = {};
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
        resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}
