import { randomUUID } from 'node:crypto';
import { generateApiKey } from '@pledgewatch/auth';
import { record } from './support/report';
import { routeTable, SmallStack } from './support/small-stack';
import { call, sql } from './support/stack';

/**
 * R6: the auth matrix, generated from the app's own route table: every admin route (and the queue
 * dashboard and metrics, when the app has them) × no key, malformed key, unknown key, revoked key,
 * and an editor's key on an admin-only route → refused (401/403), every time; a key's hash never
 * appears in any answer or log line. Each request is otherwise well formed (a JSON body only where
 * the OpenAPI document says the operation takes one), so what refuses it is the credential, not
 * the input boundary's 415 for a body on a route that takes none.
 */
/** Admin-only areas (docs/api.md: keys, subscribers, deliveries, digests, webhooks, archiving, the queue dashboard). */
const ADMIN_ONLY = (method: string, path: string) =>
  /^\/v1\/admin\/(api-keys|subscribers|deliveries|digests|webhooks)/.test(path) || (method === 'DELETE' && /^\/v1\/admin\/workstreams\//.test(path)) || path.startsWith('/admin/queues');

describe('R6 auth matrix over the route table', () => {
  const stack = new SmallStack();
  afterAll(() => stack.stop());

  it('every protected route refuses every bad credential; no key hash leaks', async () => {
    await stack.start();
    const insertKey = async (role: 'admin' | 'editor', revoked: boolean) => {
      const { key, hash, prefix } = generateApiKey();
      await sql(stack.db.url, `INSERT INTO "ApiKey" (id, name, role, "keyHash", prefix, "revokedAt", "createdAt") VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now())`, [
        `${role}${revoked ? '-revoked' : ''}`,
        role,
        hash,
        prefix,
        revoked ? new Date() : null,
      ]);
      return { key, hash };
    };
    const revoked = await insertKey('admin', true);
    const editor = await insertKey('editor', false);
    const unknown = generateApiKey();
    const credentials: [string, Record<string, string>, (m: string, p: string) => boolean][] = [
      ['no key', {}, () => true],
      ['malformed key', { Authorization: 'Bearer not a key!' }, () => true],
      ['wrong scheme', { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }, () => true],
      ['unknown key', { Authorization: `Bearer ${unknown.key}` }, () => true],
      ['revoked key', { Authorization: `Bearer ${revoked.key}` }, () => true],
      ['editor on an admin-only route', { Authorization: `Bearer ${editor.key}` }, ADMIN_ONLY],
    ];

    const table = routeTable(stack.api.logs());
    const fromOpenApi = await call(stack.api.base, 'GET', '/openapi.json');
    const openApiPaths: Record<string, Record<string, { requestBody?: unknown }>> = fromOpenApi.json?.paths ?? {};
    /** The route takes a body: as the OpenAPI document says, else by its method. */
    const takesBody = (method: string, path: string) => {
      const operation = openApiPaths[path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[method.toLowerCase()];
      return operation ? operation.requestBody !== undefined : ['POST', 'PATCH', 'PUT'].includes(method);
    };
    const extra = ['/metrics', '/admin/queues'].filter((p) => !table.some((r) => r.path === p));
    const protectedRoutes = [
      ...table.filter((r) => r.path.startsWith('/v1/admin') || r.path.startsWith('/admin/')),
      ...extra.map((path) => ({ method: 'GET', path })),
    ];
    const hashes = [revoked.hash, editor.hash, unknown.hash];
    const leaks: string[] = [];
    const admitted: string[] = [];
    let requests = 0;
    let fivexx = 0;
    for (const route of protectedRoutes) {
      const path = route.path.replace(/:[A-Za-z]+/g, randomUUID());
      for (const [name, headers, applies] of credentials) {
        if (!applies(route.method, route.path)) continue;
        const answer = await call(stack.api.base, route.method, path, { headers, body: takesBody(route.method, route.path) ? {} : undefined });
        requests += 1;
        // /metrics and /admin/queues may be absent (404) or public by design when unprotected: only admin routes must refuse.
        const mustRefuse = route.path.startsWith('/v1/admin') || answer.status !== 404;
        if (answer.status >= 500) fivexx += 1;
        if (mustRefuse && answer.status !== 401 && answer.status !== 403) admitted.push(`${route.method} ${route.path} with ${name} → ${answer.status}`);
        const leaked = hashes.find((h) => answer.text.includes(h) || [...answer.headers.values()].some((v) => v.includes(h)));
        if (leaked) leaks.push(`${route.method} ${route.path} (${name})`);
      }
    }
    const logs = stack.api.logs();
    const loggedHash = hashes.some((h) => logs.includes(h));
    const broken = record({
      trial: 'R6',
      backend: '-',
      title: 'auth matrix from the route table',
      figures: {
        routes: protectedRoutes.length,
        requests,
        refusedPercent: requests ? (100 * (requests - admitted.length)) / requests : 0,
        fivexx,
        openApi: fromOpenApi.status === 200 ? 'present' : `absent (${fromOpenApi.status})`,
      },
      checks: {
        'the route table lists admin routes': protectedRoutes.filter((r) => r.path.startsWith('/v1/admin')).length >= 10,
        'every bad credential refused (401/403), 100%': admitted.length === 0,
        'no 5xx': fivexx === 0,
        'no key hash in any answer': leaks.length === 0,
        'no key hash in the API log': !loggedHash,
      },
      note: admitted.length ? `Admitted: ${admitted.slice(0, 10).join('; ')}` : undefined,
    });
    expect(broken).toEqual([]);
  });
});
