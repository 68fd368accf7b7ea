import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';
import { hostOf, isPublicAddress, publicOnlyLookup, RefusedAddress } from './url-guard.js';

export type AttemptResult = { statusCode: number } | { statusCode: null; error: string };

/**
 * Posts deliveries: no redirects (a 3xx is an answer like any other), one deadline for connect,
 * headers and body, and — unless private addresses are allowed — connections only to public
 * addresses, checked on the address actually dialled (DNS rebinding).
 */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(private readonly options: { allowPrivate: boolean; timeoutMs: number }) {
    this.agent = new Agent({
      connect: {
        timeout: options.timeoutMs,
        ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup }),
      },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  }

  async post(
    url: string,
    headers: Record<string, string>,
    body: string,
    stop: AbortSignal,
  ): Promise<AttemptResult> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const target = new URL(url);
      const host = hostOf(target);
      // A literal address is dialled without a lookup, so it is checked here.
      if (!this.options.allowPrivate && ipaddr.isValid(host) && !isPublicAddress(host)) {
        throw new RefusedAddress(host, host);
      }
      const response = await request(target, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', 'user-agent': 'Mercato-Webhooks/1', ...headers },
        body,
        signal: AbortSignal.any([stop, deadline]),
      });
      // The answer's body is not kept; reading it frees the connection for the next delivery.
      await response.body.dump();
      return { statusCode: response.statusCode };
    } catch (error) {
      if (deadline.aborted)
        return { statusCode: null, error: `no answer within ${this.options.timeoutMs / 1000} s` };
      if (stop.aborted) return { statusCode: null, error: 'the dispatcher stopped mid-delivery' };
      return { statusCode: null, error: describe(error) };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const root = error instanceof RefusedAddress || !(cause instanceof Error) ? error : cause;
  const code = (root as { code?: unknown }).code;
  const message = root instanceof Error ? root.message : String(root);
  return (typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message).slice(
    0,
    500,
  );
}
