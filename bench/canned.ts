// The answers the ceiling replays, captured from the app: shared by the bench and the ceiling process.
import type { RawResponse } from './client.js';

export interface CannedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string; // base64
}

export type CannedFile = Record<string, CannedAnswer>;

/** The request headers that change the app's answer; every other header is the same for all. */
export function cannedKey(
  method: string,
  path: string,
  headers: { 'accept-encoding'?: string; authorization?: string },
): string {
  return [method, path, headers['accept-encoding'] ?? '', headers.authorization ?? ''].join('\n');
}

// Per connection or per message: node writes its own.
const HOP_BY_HOP = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export function cannedAnswer(response: RawResponse): CannedAnswer {
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([n]) => !HOP_BY_HOP.has(n)));
  return { status: response.status, headers, body: response.body.toString('base64') };
}
