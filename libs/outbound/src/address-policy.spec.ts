import { addressRefusal, OutboundPolicy } from './address-policy';
import { assertOutboundDestination } from './outbound-url';

const production: OutboundPolicy = { allowLoopback: false };
const development: OutboundPolicy = { allowLoopback: true };

/** A resolver that answers what a hostile or misconfigured DNS would: no network involved. */
const resolvingTo = (...addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

/** Loopback in every notation: refused in production, allowed outside it only as 127.0.0.0/8 and ::1 themselves. */
const LOOPBACK = ['127.0.0.1', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '0000:0000:0000:0000:0000:0000:0000:0001'];

/** Never, in any environment: private, link-local (metadata), CGNAT, reserved, and every IPv6 notation that embeds IPv4. */
const NEVER = [
  '0.0.0.0',
  '10.0.0.1',
  '172.16.5.4',
  '192.168.1.1',
  '169.254.169.254',
  '100.64.0.1',
  '192.0.0.1',
  '198.18.0.1',
  '224.0.0.1',
  '255.255.255.255',
  // ::/8 but ::1 — the unspecified address, IPv4-compatible, -mapped and -translated, hex or dotted.
  '::',
  '::127.0.0.1',
  '0:0:0:0:0:0:127.0.0.1',
  '::7f00:1',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::ffff:0:127.0.0.1',
  '::ffff:0:7f00:1',
  '::ffff:0:a9fe:a9fe',
  '::ffff:169.254.169.254',
  '::ffff:a9fe:a9fe',
  '::ffff:10.0.0.1',
  '::a9fe:a9fe',
  '::2',
  '::ffff:93.184.215.14', // mapped, even when public: a URL or DNS answer never needs it
  // NAT64, 6to4, Teredo: the IPv4 address inside could be anything.
  '64:ff9b::7f00:1',
  '64:ff9b::169.254.169.254',
  '64:ff9b:1::a9fe:a9fe',
  '2002:7f00:1::',
  '2002:a9fe:a9fe::1',
  '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  '2001::1',
  // Unique-local, link-local, site-local, multicast, documentation, discard.
  'fd00::1',
  'fc00::1',
  'fe80::1',
  'fe80::1%eth0',
  'fec0::1',
  'ff02::1',
  '2001:db8::1',
  '3fff::1',
  '100::1',
];

const PUBLIC = ['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:82a::200e'];

describe('outbound address policy (SSRF)', () => {
  it.each(LOOPBACK)('refuses loopback %s in production, allows it outside', (address) => {
    expect(addressRefusal(address, production)).toMatch(/loopback/);
    expect(addressRefusal(address, development)).toBeNull();
  });

  it.each(NEVER)('refuses %s in production and outside it', (address) => {
    expect(addressRefusal(address, production)).toEqual(expect.any(String));
    expect(addressRefusal(address, development)).toEqual(expect.any(String));
  });

  it.each(PUBLIC)('accepts the public address %s', (address) => {
    expect(addressRefusal(address, production)).toBeNull();
  });

  it.each([
    '[::127.0.0.1]',
    '[0:0:0:0:0:0:127.0.0.1]',
    '[::ffff:0:127.0.0.1]',
    '[::ffff:0:a9fe:a9fe]',
    '[::ffff:127.0.0.1]',
    '[64:ff9b::7f00:1]',
    '[2002:a9fe:a9fe::]',
    '[fe80::1]',
    '127.1',
    '0x7f.0.0.1',
    '2130706433',
    '0177.0.0.1',
    '169.254.169.254',
    '0xa9.0xfe.0xa9.0xfe',
    '[::]',
    '0',
  ])('refuses the URL host %s in production, as written in a URL', async (host) => {
    await expect(assertOutboundDestination(`https://${host}/hook`, production, {}, resolvingTo('93.184.215.14'))).rejects.toMatchObject({ problem: 'address_not_allowed' });
  });

  it('lets only 127.0.0.0/8 and ::1 through as loopback outside production', async () => {
    await expect(assertOutboundDestination('http://127.0.0.1:8080/hook', development)).resolves.toBeInstanceOf(URL);
    await expect(assertOutboundDestination('http://[::1]:8080/hook', development)).resolves.toBeInstanceOf(URL);
    await expect(assertOutboundDestination('http://[::ffff:127.0.0.1]:8080/hook', development)).rejects.toMatchObject({ problem: 'address_not_allowed' });
    await expect(assertOutboundDestination('http://[::127.0.0.1]:8080/hook', development)).rejects.toMatchObject({ problem: 'address_not_allowed' });
  });

  it('checks every address a name resolves to, not only the first', async () => {
    const check = (...answers: string[]) => assertOutboundDestination('https://hooks.example.org/in', production, {}, resolvingTo(...answers));
    await expect(check('10.0.0.1')).rejects.toMatchObject({ problem: 'address_not_allowed' });
    await expect(check('93.184.215.14', '169.254.169.254')).rejects.toMatchObject({ problem: 'address_not_allowed' });
    await expect(check('2606:4700:4700::1111', '::ffff:0:a9fe:a9fe')).rejects.toMatchObject({ problem: 'address_not_allowed' });
    await expect(check('::1')).rejects.toMatchObject({ problem: 'address_not_allowed' });
    await expect(check()).rejects.toMatchObject({ problem: 'unresolvable' });
    await expect(check('93.184.215.14')).resolves.toBeInstanceOf(URL);
  });

  it('takes http and https only (https only in production unless the caller allows http), and no credentials', async () => {
    const dns = resolvingTo('93.184.215.14');
    await expect(assertOutboundDestination('http://hooks.example.org/in', production, {}, dns)).rejects.toMatchObject({ problem: 'scheme_not_allowed' });
    await expect(assertOutboundDestination('http://hooks.example.org/in', production, { allowHttp: true }, dns)).resolves.toBeInstanceOf(URL);
    await expect(assertOutboundDestination('http://hooks.example.org/in', development, {}, dns)).resolves.toBeInstanceOf(URL);
    for (const scheme of ['ftp', 'file', 'gopher', 'data', 'javascript']) {
      await expect(assertOutboundDestination(`${scheme}://hooks.example.org/in`, development, { allowHttp: true }, dns)).rejects.toMatchObject({ problem: 'scheme_not_allowed' });
    }
    await expect(assertOutboundDestination('https://user:pw@hooks.example.org/in', production, {}, dns)).rejects.toMatchObject({ problem: 'invalid_url' });
    await expect(assertOutboundDestination('https://:pw@hooks.example.org/in', production, {}, dns)).rejects.toMatchObject({ problem: 'invalid_url' });
    await expect(assertOutboundDestination('hooks.example.org/in', production, {}, dns)).rejects.toMatchObject({ problem: 'invalid_url' });
  });

  it('answers unresolvable for a name without an address', async () => {
    const failing = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(assertOutboundDestination('https://nowhere.invalid/in', production, {}, failing)).rejects.toMatchObject({ problem: 'unresolvable' });
  });
});
