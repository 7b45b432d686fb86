import { addressRefusal, assertWebhookDestination, WebhookAddressPolicy } from './webhook-address-guard';

const production: WebhookAddressPolicy = { allowLoopback: false };
const development: WebhookAddressPolicy = { allowLoopback: true };

/** A resolver that answers what a hostile or misconfigured DNS would: no network involved. */
const resolvingTo = (...addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('webhook address guard (SSRF)', () => {
  it.each([
    ['10.0.0.1', 4],
    ['172.16.5.4', 4],
    ['192.168.1.1', 4],
    ['169.254.169.254', 4],
    ['100.64.0.1', 4],
    ['0.0.0.0', 4],
    ['127.0.0.1', 4],
    ['224.0.0.1', 4],
    ['::1', 6],
    ['::', 6],
    ['fd00::1', 6],
    ['fe80::1', 6],
    ['::ffff:10.0.0.1', 6],
    ['::ffff:a9fe:a9fe', 6],
    ['64:ff9b::a00:1', 6],
  ] as const)('refuses %s in production', (address, family) => {
    expect(addressRefusal(address, family, production)).toEqual(expect.any(String));
  });

  it.each([
    ['93.184.215.14', 4],
    ['2606:4700:4700::1111', 6],
    ['::ffff:93.184.215.14', 6],
  ] as const)('accepts the public address %s', (address, family) => {
    expect(addressRefusal(address, family, production)).toBeNull();
  });

  it('lets loopback through outside production only, and private addresses never', () => {
    expect(addressRefusal('127.0.0.1', 4, development)).toBeNull();
    expect(addressRefusal('::1', 6, development)).toBeNull();
    expect(addressRefusal('10.0.0.1', 4, development)).toEqual(expect.any(String));
    expect(addressRefusal('169.254.169.254', 4, development)).toEqual(expect.any(String));
  });

  it('checks every address a name resolves to, not only the first', async () => {
    await expect(assertWebhookDestination('https://hooks.example.org/in', production, resolvingTo('10.0.0.1'))).rejects.toMatchObject({ problem: 'address_not_allowed' });
    await expect(assertWebhookDestination('https://hooks.example.org/in', production, resolvingTo('93.184.215.14', '169.254.169.254'))).rejects.toMatchObject({ problem: 'address_not_allowed' });
    await expect(assertWebhookDestination('https://hooks.example.org/in', production, resolvingTo('::1'))).rejects.toMatchObject({ problem: 'address_not_allowed' });
    await expect(assertWebhookDestination('https://hooks.example.org/in', production, resolvingTo('93.184.215.14'))).resolves.toBeInstanceOf(URL);
  });

  it('takes https only in production, and no credentials in the URL', async () => {
    await expect(assertWebhookDestination('http://hooks.example.org/in', production, resolvingTo('93.184.215.14'))).rejects.toMatchObject({ problem: 'scheme_not_allowed' });
    await expect(assertWebhookDestination('http://hooks.example.org/in', development, resolvingTo('93.184.215.14'))).resolves.toBeInstanceOf(URL);
    await expect(assertWebhookDestination('https://user:pw@hooks.example.org/in', production, resolvingTo('93.184.215.14'))).rejects.toMatchObject({ problem: 'invalid_url' });
    await expect(assertWebhookDestination('hooks.example.org/in', production, resolvingTo('93.184.215.14'))).rejects.toMatchObject({ problem: 'invalid_url' });
  });

  it('answers unresolvable for a name without an address', async () => {
    const failing = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(assertWebhookDestination('https://nowhere.invalid/in', production, failing)).rejects.toMatchObject({ problem: 'unresolvable' });
  });
});
