import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { addressRefusal, OutboundPolicy } from './address-policy';

export type OutboundUrlProblem = 'invalid_url' | 'scheme_not_allowed' | 'address_not_allowed' | 'unresolvable';

export class OutboundUrlError extends Error {
  constructor(
    readonly problem: OutboundUrlProblem,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundUrlError';
  }
}

/** Which schemes a caller takes: webhooks insist on https in production; sources may be http. */
export interface OutboundUrlRules {
  /** Plain http too (default: only outside production, i.e. when loopback is allowed). */
  allowHttp?: boolean;
}

/** Parses and checks a URL's form: http or https, no credentials, a host. Answers the URL (WHATWG-serialised by `href`). */
export function checkOutboundUrl(raw: string, policy: OutboundPolicy, rules: OutboundUrlRules = {}): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError('invalid_url', `"${raw}" is not an absolute URL.`);
  }
  const allowHttp = rules.allowHttp ?? policy.allowLoopback;
  const allowed = allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(url.protocol)) {
    throw new OutboundUrlError('scheme_not_allowed', allowHttp ? 'The URL must be http or https.' : 'The URL must be https.');
  }
  if (url.username || url.password) throw new OutboundUrlError('invalid_url', 'The URL must not carry credentials.');
  if (!url.hostname) throw new OutboundUrlError('invalid_url', 'The URL needs a host.');
  return url;
}

type Lookup = (hostname: string) => Promise<LookupAddress[]>;

const systemLookup: Lookup = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

function refuseAny(host: string, addresses: LookupAddress[], policy: OutboundPolicy): OutboundUrlError | null {
  if (addresses.length === 0) return new OutboundUrlError('unresolvable', `The host "${host}" has no address.`);
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, policy);
    if (refusal) return new OutboundUrlError('address_not_allowed', `The host "${host}" resolves to ${refusal}.`);
  }
  return null;
}

/**
 * The URL's form, then every address its host resolves to (an IP literal is its own address):
 * the check when a URL is registered. Throws OutboundUrlError; answers the parsed URL. The
 * connection itself must use guardedLookup, or a name that changes its answer would get through.
 */
export async function assertOutboundDestination(raw: string, policy: OutboundPolicy, rules: OutboundUrlRules = {}, lookup: Lookup = systemLookup): Promise<URL> {
  const url = checkOutboundUrl(raw, policy, rules);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: LookupAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host);
    } catch (error) {
      throw new OutboundUrlError('unresolvable', `The host "${host}" does not resolve: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
  }
  const refused = refuseAny(host, addresses, policy);
  if (refused) throw refused;
  return url;
}

/**
 * A `lookup` for http.request / https.request that refuses what the guard refuses, so the
 * connection is made only to an address checked in that same lookup (no window for DNS
 * rebinding). An IP literal in the URL skips lookup in Node: check it with assertOutboundDestination first.
 */
export function guardedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses;
      const refused = refuseAny(hostname, list, policy);
      if (refused) return callback(refused, '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
