import { BlockList, isIP } from 'node:net';

/**
 * Which addresses an outgoing request (webhooks, evidence capture, sources) may connect to.
 * IPv4: anything but the special-purpose ranges. IPv6: only global unicast (2000::/3) less its
 * special blocks; everything else — all of ::/8 (IPv4-mapped ::ffff:0:0/96, IPv4-translated
 * ::ffff:0:0:0/96, IPv4-compatible, the unspecified address), NAT64 64:ff9b::/96, unique-local,
 * link-local, multicast — is refused whatever IPv4 address it embeds, so no notation of loopback or
 * the metadata service gets through. Loopback (127.0.0.0/8 and ::1 only) is allowed outside
 * production, for a developer's or a test's local server.
 */
export interface OutboundPolicy {
  /** Outside production: loopback addresses (127.0.0.0/8, ::1) and plain `http` are accepted. */
  allowLoopback: boolean;
}

const IPV4_NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  IPV4_NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
const IPV4_LOOPBACK = new BlockList();
IPV4_LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');

/** Inside global unicast (2000::/3), still not a public destination. */
const IPV6_SPECIAL = new BlockList();
for (const [network, prefix] of [
  ['2001::', 23], // IETF protocol assignments: Teredo 2001::/32, ORCHID, benchmarking …
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: the embedded IPv4 address could be anything
  ['3fff::', 20], // documentation
] as const) {
  IPV6_SPECIAL.addSubnet(network, prefix, 'ipv6');
}

/**
 * An IPv6 address as eight 16-bit groups, whatever its notation (compressed, embedded dotted
 * quad, zone id): the WHATWG URL parser serialises it canonically first.
 */
function ipv6Groups(address: string): number[] | null {
  let host: string;
  try {
    host = new URL(`http://[${address.replace(/%.*$/, '')}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head, tail] = host.includes('::') ? host.split('::') : [host, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 ? groups : null;
}

/** Why `address` may not be connected to, or null when it may. Any notation; the family is read from the text. */
export function addressRefusal(address: string, policy: OutboundPolicy): string | null {
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) {
    if (IPV4_LOOPBACK.check(address, 'ipv4')) return policy.allowLoopback ? null : `${address} is a loopback address`;
    if (IPV4_NOT_PUBLIC.check(address, 'ipv4')) return `${address} is not a public address (private, link-local, metadata, multicast or reserved)`;
    return null;
  }
  const groups = family === 6 ? ipv6Groups(address) : null;
  if (!groups) return `${address} is not an IP address`;
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return policy.allowLoopback ? null : `${address} is a loopback address`;
  if ((groups[0] & 0xe000) !== 0x2000) {
    return `${address} is not a global unicast address (IPv4-mapped or embedded, NAT64, unique-local, link-local, multicast or reserved)`;
  }
  const canonical = groups.map((g) => g.toString(16)).join(':');
  if (IPV6_SPECIAL.check(canonical, 'ipv6')) return `${address} is a special-purpose address (Teredo, 6to4, documentation)`;
  return null;
}
