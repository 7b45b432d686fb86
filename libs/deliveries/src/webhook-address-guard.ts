import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * The SSRF guard of outgoing webhooks: where a webhook may be POSTed. Only `https`; outside
 * production also `http`, and loopback addresses, so a developer's local receiver works. Every
 * address the name resolves to must be public: private, loopback, link-local (the cloud metadata
 * service at 169.254.169.254), carrier-grade NAT, unique-local and the other special ranges are
 * refused. Checked at registration and again at send time, inside the connection's own DNS lookup,
 * so a name that changes its answer between the check and the connect (DNS rebinding) still
 * cannot reach an internal address.
 */
export interface WebhookAddressPolicy {
  /** Outside production: `http` and loopback addresses are accepted. */
  allowLoopback: boolean;
}

export type WebhookUrlProblem = 'invalid_url' | 'scheme_not_allowed' | 'address_not_allowed' | 'unresolvable';

export class WebhookUrlError extends Error {
  constructor(
    readonly problem: WebhookUrlProblem,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookUrlError';
  }
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Not reachable on the public internet, or not meant to be (IANA special-purpose registries). */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64: the embedded IPv4 address could be anything
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, …)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/**
 * `::ffff:10.0.0.1` (or `::ffff:a00:1`, as URLs write it) is 10.0.0.1: an IPv4-mapped address is
 * judged as the IPv4 address it carries.
 */
function unmapped(address: string, family: 4 | 6): { address: string; family: 4 | 6 } {
  if (family !== 6) return { address, family };
  const dotted = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return { address: dotted[1], family: 4 };
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 4 };
  }
  return { address, family };
}

/** Why `address` may not be a webhook's destination, or null when it may. */
export function addressRefusal(rawAddress: string, rawFamily: 4 | 6, policy: WebhookAddressPolicy): string | null {
  const { address, family } = unmapped(rawAddress.toLowerCase(), rawFamily);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(address, type)) return policy.allowLoopback ? null : `${rawAddress} is a loopback address`;
  if (NOT_PUBLIC.check(address, type)) return `${rawAddress} is not a public address (private, link-local, metadata or reserved)`;
  return null;
}

/** Parses and checks the URL's form: scheme, no credentials, a host. Answers the URL. */
export function checkWebhookUrlForm(raw: string, policy: WebhookAddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('invalid_url', `"${raw}" is not an absolute URL.`);
  }
  const allowed = policy.allowLoopback ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(url.protocol)) {
    throw new WebhookUrlError('scheme_not_allowed', policy.allowLoopback ? 'A webhook URL must be https (or http, outside production).' : 'A webhook URL must be https.');
  }
  if (url.username || url.password) throw new WebhookUrlError('invalid_url', 'A webhook URL must not carry credentials; the signature authenticates the sender.');
  if (!url.hostname) throw new WebhookUrlError('invalid_url', 'A webhook URL needs a host.');
  return url;
}

const bareHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

type Lookup = (hostname: string) => Promise<LookupAddress[]>;

const systemLookup: Lookup = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/**
 * The URL's form, then every address its host resolves to (an IP literal is its own address).
 * Throws WebhookUrlError; answers the parsed URL.
 */
export async function assertWebhookDestination(raw: string, policy: WebhookAddressPolicy, lookup: Lookup = systemLookup): Promise<URL> {
  const url = checkWebhookUrlForm(raw, policy);
  const host = bareHost(url);
  const literal = isIP(host);
  let addresses: LookupAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal }];
  } else {
    try {
      addresses = await lookup(host);
    } catch (error) {
      throw new WebhookUrlError('unresolvable', `The host "${host}" does not resolve: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
    if (addresses.length === 0) throw new WebhookUrlError('unresolvable', `The host "${host}" has no address.`);
  }
  for (const { address, family } of addresses) {
    const refusal = addressRefusal(address, family as 4 | 6, policy);
    if (refusal) throw new WebhookUrlError('address_not_allowed', `The host "${host}" resolves to ${refusal}.`);
  }
  return url;
}

/**
 * A `lookup` for http.request that refuses what the guard refuses: the connection is made only to
 * an address checked in the same lookup (no window for DNS rebinding).
 */
export function guardedLookup(policy: WebhookAddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses;
      for (const { address, family } of list) {
        const refusal = addressRefusal(address, family as 4 | 6, policy);
        if (refusal) return callback(new WebhookUrlError('address_not_allowed', `The host "${hostname}" resolves to ${refusal}.`), '', 4);
      }
      if (list.length === 0) return callback(new WebhookUrlError('unresolvable', `The host "${hostname}" has no address.`), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
