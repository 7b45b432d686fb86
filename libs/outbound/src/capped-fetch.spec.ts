import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CappedFetchOptions, fetchCapped } from './capped-fetch';

/** A server on loopback (allowed outside production) answering by path. */
function serve(routes: Record<string, (res: http.ServerResponse) => void>): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => (routes[req.url ?? ''] ?? ((r) => r.writeHead(404).end()))(res));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) }),
    ),
  );
}

describe('fetchCapped', () => {
  const options: CappedFetchOptions = { policy: { allowLoopback: true }, maxBytes: 1_000, timeoutMs: 5_000, maxRedirects: 3 };
  let site: Awaited<ReturnType<typeof serve>>;
  let pending: http.ServerResponse[] = [];

  beforeAll(async () => {
    site = await serve({
      '/ok': (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello'),
      '/big': (res) => res.writeHead(200).end('x'.repeat(5_000)),
      '/big-chunked': (res) => {
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write('y'.repeat(500));
        res.end();
      },
      '/hop1': (res) => res.writeHead(302, { location: '/hop2' }).end(),
      '/hop2': (res) => res.writeHead(301, { location: '/ok' }).end(),
      '/loop': (res) => res.writeHead(302, { location: '/loop' }).end(),
      '/to-metadata': (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
      '/to-mapped-loopback': (res) => res.writeHead(307, { location: 'http://[::ffff:127.0.0.1]/ok' }).end(),
      '/to-file': (res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
      '/slow': (res) => void pending.push(res),
    });
  });
  afterAll(async () => {
    for (const res of pending) res.end();
    pending = [];
    await site.close();
  });

  it('answers the body, following redirects and re-checking each', async () => {
    const answer = await fetchCapped(`${site.base}/hop1`, options);
    expect(answer).toMatchObject({ status: 200, url: `${site.base}/ok` });
    expect(answer.body.toString()).toBe('hello');
  });

  it('refuses a redirect to a refused address or scheme, before connecting there', async () => {
    await expect(fetchCapped(`${site.base}/to-metadata`, options)).rejects.toMatchObject({ problem: 'address_not_allowed' });
    await expect(fetchCapped(`${site.base}/to-mapped-loopback`, options)).rejects.toMatchObject({ problem: 'address_not_allowed' });
    await expect(fetchCapped(`${site.base}/to-file`, options)).rejects.toMatchObject({ problem: 'scheme_not_allowed' });
  });

  it('stops at the caps: redirects, size (announced or streamed) and time', async () => {
    await expect(fetchCapped(`${site.base}/loop`, options)).rejects.toMatchObject({ problem: 'too_many_redirects' });
    await expect(fetchCapped(`${site.base}/big`, options)).rejects.toMatchObject({ problem: 'too_large' });
    await expect(fetchCapped(`${site.base}/big-chunked`, options)).rejects.toMatchObject({ problem: 'too_large' });
    await expect(fetchCapped(`${site.base}/slow`, { ...options, timeoutMs: 200 })).rejects.toMatchObject({ problem: 'timeout' });
  });

  it('refuses loopback in production', async () => {
    await expect(fetchCapped(`${site.base}/ok`, { ...options, policy: { allowLoopback: false }, rules: { allowHttp: true } })).rejects.toMatchObject({ problem: 'address_not_allowed' });
  });
});
