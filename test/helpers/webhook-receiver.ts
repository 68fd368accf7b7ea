import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  id: string;
  timestamp: string;
  signatures: string[];
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: a delivery body of any event type
  json: any;
}

/** What the receiver answers to the n-th request (0-based): a status, or 'hang' (never answer). */
export type Answer = (request: Received, n: number) => number | 'hang';

/**
 * Verifies a Standard Webhooks signature by hand, independently of the library Mercato signs
 * with: HMAC-SHA256 keyed with the base64-decoded secret (after "whsec_") over
 * "<webhook-id>.<webhook-timestamp>.<body>", base64, compared with each "v1,<sig>" in the header.
 */
export function signedWith(secret: string, request: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${request.id}.${request.timestamp}.${request.body}`)
    .digest();
  return request.signatures.some((signature) => {
    const [version, value] = signature.split(',');
    if (version !== 'v1' || value === undefined) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export interface Receiver {
  url: string;
  received: Received[];
  answer: Answer;
  /** Resolves once `predicate` holds for what was received (polls), or fails after `timeoutMs`. */
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP receiver on loopback, as a shop's warehouse or chat tool would run one. */
export async function startReceiver(answer: Answer = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    answer,
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline)
          throw new Error(`receiver: condition not met, got ${received.length} requests`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const request: Received = {
      id: String(req.headers['webhook-id']),
      timestamp: String(req.headers['webhook-timestamp']),
      signatures: String(req.headers['webhook-signature'] ?? '').split(' '),
      body,
      json: JSON.parse(body),
    };
    const n = received.length;
    received.push(request);
    const status = receiver.answer(request, n);
    if (status === 'hang') return;
    res.writeHead(status, status >= 300 && status < 400 ? { location: `${receiver.url}/elsewhere` } : {});
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
