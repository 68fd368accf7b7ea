import { promises as dnsPromises, type LookupAddress, lookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { invalidField } from '../../lib/errors.js';

/**
 * Server-side request forgery guard. Only globally routable unicast addresses may receive
 * webhooks: loopback, private (10/8, 172.16/12, 192.168/16), link-local (169.254/16 with the
 * cloud metadata service, fe80::/10), CGNAT (100.64/10), unspecified, broadcast, multicast,
 * reserved and documentation ranges, IPv6 unique-local (fc00::/7) and the IPv6 forms that embed
 * an IPv4 address (mapped, NAT64, 6to4, Teredo) are all refused. ipaddr.js names the ranges.
 */
function addressRange(address: string): string {
  // process() turns ::ffff:10.0.0.1 into 10.0.0.1, so a mapped address is judged as what it is.
  return ipaddr.process(address).range();
}

export const isPublicAddress = (address: string): boolean =>
  ipaddr.isValid(address) && addressRange(address) === 'unicast';

export class RefusedAddress extends Error {
  readonly code = 'ERR_WEBHOOK_ADDRESS_REFUSED';
  constructor(host: string, address: string) {
    const named = host === address ? address : `${host} resolves to ${address}`;
    super(`${named}, a ${addressRange(address)} address: webhooks go to public addresses only`);
  }
}

/** The bare host of a URL: "[::1]" becomes "::1"; numeric forms (127.1, 0x7f.1) are already normalized by URL. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * The resolver the delivery agent connects through: every address the name resolves to must be
 * public, and the socket connects to the very address checked here, so a DNS answer that changes
 * between the check and the connection (rebinding) cannot slip through.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    const first = addresses[0];
    if (refused || !first) {
      return callback(new RefusedAddress(hostname, refused?.address ?? '0.0.0.0'), '', 0);
    }
    if (options.all) return callback(null, addresses);
    return callback(null, first.address, first.family);
  });
};

/**
 * Refuses (400, on /url) a webhook URL that is not http(s), carries credentials, or resolves to
 * an address that is not public (unless private ones are allowed).
 */
export async function assertWebhookUrl(raw: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidField('/url', 'must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidField('/url', 'must be an http:// or https:// URL');
  }
  if (url.username || url.password) {
    throw invalidField('/url', 'must not carry credentials; verify the signature instead');
  }
  if (allowPrivate) return url.toString();
  const host = hostOf(url);
  const addresses = ipaddr.isValid(host)
    ? [host]
    : await dnsPromises.lookup(host, { all: true }).then(
        (found) => found.map((a) => a.address),
        () => {
          throw invalidField('/url', `${host} does not resolve to an address`);
        },
      );
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused !== undefined) throw invalidField('/url', new RefusedAddress(host, refused).message);
  return url.toString();
}
