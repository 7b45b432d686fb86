import fc from 'fast-check';
import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { hashSingleUseToken, newSingleUseToken, SubscriberLinks } from '@pledgewatch/subscriber-links';
import { bootApi } from './support/api';
import { bearer, day, insertApiKey, insertReferenceData } from './support/admin';
import { dropQueueKeys, testQueuePrefix } from './support/queues';
import { createTestDatabase, TestDatabase } from './support/database';
import { eventually } from './support/eventually';
import { Route, routeTable } from './support/route-table';

/**
 * Hostile input against the app's own route table: NUL, control characters, lone
 * surrogates, invalid UTF-8, year 0000 and out-of-range dates, oversized values and bodies in
 * formats a route does not take, in path parameters, query values and body fields. Every answer
 * must be a problem+json 4xx with a documented code, and no row may change.
 *
 * FUZZ_SEED and FUZZ_RUNS override the fixed seed and the run count (fast-check prints the seed
 * and the counterexample's path on failure: re-run with FUZZ_SEED=<seed> to replay it).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_000);

/** The codes docs/api.md "Errors and input rules" documents for a 4xx. */
const DOCUMENTED_CODES = new Set([
  'validation_failed',
  'malformed_request',
  'unsupported_media_type',
  'payload_too_large',
  'unauthenticated',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'token_invalid',
  'token_used',
  'token_expired',
  'invalid_cursor',
  'rate_limited',
  'version_conflict',
  'slug_taken',
  'unknown_summit',
  'unknown_country',
  'unknown_sector',
  'unknown_workstream',
  'invalid_timezone',
  'no_topics',
  'invalid_dates',
  'date_in_future',
  'status_reserved',
  'not_completed',
  'as_of_requires_dry_run',
  'subscriber_not_found',
  'ambiguous_prefix',
  'delivery_already_sent',
]);

/** Query parameter names the API uses somewhere; each route either takes one or refuses it. */
const QUERY_NAMES = ['q', 'asOf', 'since', 'country', 'sector', 'health', 'stage', 'summit', 'type', 'workstream', 'limit', 'cursor', 'token', 'subscriber', 'email', 'state', 'status', 'kind', 'fuzz'];
const DATE_QUERY_NAMES = new Set(['asOf', 'since']);

/** Control characters no text field takes (tab and line feed are a multi-line field's). */
const FORBIDDEN_IN_ANY_TEXT = ['\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\r', '\u001b', '\u001f', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029'];
const FORBIDDEN_IN_ONE_LINE = [...FORBIDDEN_IN_ANY_TEXT, '\n', '\t'];
const BAD_DATES = [
  '0000-01-01', '0000-12-31', '0001-01-01', '1899-12-31', '2101-01-01', '9999-12-31', '2023-02-29', '2024-02-30', '2024-13-01',
  '2024-00-10', '24-01-01', '+002024-01-01', '-000001-01-01', '0000-01-01T00:00:00Z', '2101-01-01T00:00:00Z', '1899-12-31T23:59:59Z',
];
/** Percent-escapes that are not UTF-8 (a lone surrogate as CESU-8 bytes among them) or not escapes at all. */
const BAD_ESCAPES = ['%ff', '%c0%af', '%fe%ff', '%ED%A0%80', '%ED%B0%80', '%E2%82', '%', '%zz'];
const INVALID_UTF8 = Buffer.from([0xff, 0xfe, 0xc0, 0xaf]);

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Leaf = { path: (string | number)[]; isDate: boolean };

type Attack =
  | { kind: 'path'; param: string; value: string }
  | { kind: 'query'; name: string; value: string }
  | { kind: 'query-name'; name: string }
  | { kind: 'leaf'; path: (string | number)[]; value: string }
  | { kind: 'bytes'; path: (string | number)[] }
  | { kind: 'media'; contentType: string | null }
  | { kind: 'form'; field: string; value: string };

interface Base {
  params: Record<string, string>;
  query: Record<string, string>;
  body?: Json;
  form?: Record<string, string>;
}

const ascii = fc.string({ maxLength: 12 });
const around = (middle: fc.Arbitrary<string>) => fc.tuple(ascii, middle, ascii).map(([a, m, b]) => a + m + b);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Strings no body field accepts. */
const hostileText = fc.oneof(
  around(fc.constant('\u0000')),
  around(fc.constantFrom(...FORBIDDEN_IN_ANY_TEXT)),
  around(loneSurrogate),
  fc.integer({ min: 10_001, max: 14_000 }).map((n) => 'x'.repeat(n)),
);
/** Percent-encoded values no path segment or query value accepts. */
const hostileUrlValue = fc.oneof(
  around(fc.constantFrom('\u0000', ...FORBIDDEN_IN_ONE_LINE)).map(encodeURIComponent),
  fc.tuple(ascii, fc.constantFrom(...BAD_ESCAPES), ascii).map(([a, bad, b]) => encodeURIComponent(a) + bad + encodeURIComponent(b)),
  fc.integer({ min: 1_001, max: 3_000 }).map((n) => 'a'.repeat(n)),
);
const hostileDate = fc.constantFrom(...BAD_DATES);

function leavesOf(value: Json | undefined, path: (string | number)[] = []): Leaf[] {
  if (typeof value === 'string') return [{ path, isDate: /^\d{4}-\d{2}-\d{2}/.test(value) }];
  if (Array.isArray(value)) return value.flatMap((item, i) => leavesOf(item, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => leavesOf(item, [...path, key]));
  return [];
}

function withLeaf(body: Json, path: (string | number)[], replacement: Json): Json {
  const copy = structuredClone(body) as Record<string | number, Json>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[path[path.length - 1]] = replacement;
  return copy;
}

/** superagent would serialise a Buffer sent as JSON as `{"type":"Buffer",…}`: bytes go as they are. */
const asIs = (body: unknown) => body as string;

const formText = (form: Record<string, string>) =>
  Object.entries(form)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');

describe('Hostile input: the route table under attack', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let routes: Route[];
  let admin: Record<string, string>;
  const queuePrefix = testQueuePrefix('hostile');
  const bases = new Map<string, Base>();
  let baseOf: (route: Route) => Base;

  const http = () => request(app.getHttpServer());

  /** Row counts and one checksum per table a request could write (ApiKey without lastUsedAt, a usage hint). */
  async function snapshot(): Promise<string> {
    const rows = await db.prisma.$queryRawUnsafe<{ t: string; n: bigint; sum: string | null }[]>(`
      SELECT t, count(*) AS n, md5(string_agg(r, '|' ORDER BY r)) AS sum FROM (
        SELECT 'Workstream' AS t, to_jsonb(x)::text AS r FROM "Workstream" x
        UNION ALL SELECT 'WorkstreamCountry', to_jsonb(x)::text FROM "WorkstreamCountry" x
        UNION ALL SELECT 'WorkstreamSector', to_jsonb(x)::text FROM "WorkstreamSector" x
        UNION ALL SELECT 'Milestone', to_jsonb(x)::text FROM "Milestone" x
        UNION ALL SELECT 'Event', to_jsonb(x)::text FROM "Event" x
        UNION ALL SELECT 'AuditEntry', to_jsonb(x)::text FROM "AuditEntry" x
        UNION ALL SELECT 'StatusCheckRun', to_jsonb(x)::text FROM "StatusCheckRun" x
        UNION ALL SELECT 'Subscriber', to_jsonb(x)::text FROM "Subscriber" x
        UNION ALL SELECT 'Subscription', to_jsonb(x)::text FROM "Subscription" x
        UNION ALL SELECT 'SubscriberToken', to_jsonb(x)::text FROM "SubscriberToken" x
        UNION ALL SELECT 'Delivery', to_jsonb(x)::text FROM "Delivery" x
        UNION ALL SELECT 'ApiKey', (to_jsonb(x) - 'lastUsedAt')::text FROM "ApiKey" x
        UNION ALL SELECT 'Summit', to_jsonb(x)::text FROM "Summit" x
        UNION ALL SELECT 'Country', to_jsonb(x)::text FROM "Country" x
        UNION ALL SELECT 'Sector', to_jsonb(x)::text FROM "Sector" x
      ) everything GROUP BY t ORDER BY t`);
    return rows.map((row) => `${row.t}:${row.n}:${row.sum}`).join('\n');
  }

  let ipCounter = 0;
  /** Sends one request; every request gets a client address of its own (the subscribe limit is per IP). */
  function send(method: string, url: string, contentType: string | null, body?: Buffer) {
    let req = http()[method.toLowerCase() as 'get'](url)
      .set(admin)
      .set('Accept', 'application/json')
      .set('X-Forwarded-For', `198.51.${(++ipCounter >> 8) & 255}.${ipCounter & 255}`);
    if (contentType) req = req.set('Content-Type', contentType);
    return body === undefined ? req : req.serialize(asIs).send(body);
  }

  function urlOf(route: Route, params: Record<string, string>, query: Record<string, string>, extra = ''): string {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => params[name]);
    const pairs = Object.entries(query).map(([name, value]) => `${encodeURIComponent(name)}=${value}`);
    if (extra) pairs.push(extra);
    return pairs.length ? `${path}?${pairs.join('&')}` : path;
  }

  const encodedQuery = (query: Record<string, string>) =>
    Object.fromEntries(Object.entries(query).map(([name, value]) => [name, encodeURIComponent(value)]));

  beforeAll(async () => {
    db = await createTestDatabase();
    const { summit } = await insertReferenceData(db.prisma);
    admin = bearer((await insertApiKey(db.prisma, 'fuzz-admin', 'admin')).key);
    const revocable = await insertApiKey(db.prisma, 'fuzz-target', 'editor');
    app = await bootApi(db.url, { QUEUE_PREFIX: queuePrefix, PUBLIC_BASE_URL: 'http://pledgewatch.test' });
    routes = routeTable(app);

    const createBody = (slug: string): Json => ({
      slug,
      title: 'Coast guard patrol vessels',
      summary: 'Japan provides patrol vessels.\nFive of them.',
      summit,
      countries: ['PH', 'JP'],
      sectors: ['maritime-security'],
      instrument: 'oda',
      stage: 'implementation',
      source: { quote: 'Japan will provide five vessels.', title: 'Joint Statement', url: 'https://example.org/joint', publisher: 'MOFA', date: '2023-12-17' },
      milestones: [
        { title: 'Loan agreement signed', dueDate: day(-30), completedOn: day(-40), dateBasis: 'sourced', note: 'Signed in Manila.' },
        { title: 'First vessel delivered', plannedStart: day(10), dueDate: day(120) },
      ],
    });
    const created = await http().post('/v1/admin/workstreams').set(admin).send(createBody('fuzz-workstream') as object).expect(201);
    const workstream = { id: created.body.id as string, slug: created.body.slug as string, milestoneId: created.body.milestones[1].id as string };

    const subscriber = await db.prisma.subscriber.create({
      data: { email: 'reader@example.org', state: 'active', confirmedAt: new Date(), subscriptions: { create: [{ countryCode: 'PH' }] } },
    });
    const links = app.get(SubscriberLinks);
    const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;
    const usedConfirm = newSingleUseToken();
    await db.prisma.subscriberToken.create({
      data: { subscriberId: subscriber.id, purpose: 'confirm', tokenHash: usedConfirm.hash, expiresAt: new Date(Date.now() + 86_400_000), usedAt: new Date() },
    });
    const delivery = await db.prisma.delivery.create({ data: { kind: 'confirmation', subscriberId: subscriber.id, status: 'failed', attempts: 1, lastError: 'fuzz' } });

    // The setup's own events are handed to the queue after commit (dispatchedAt): let that finish before any baseline.
    await eventually(async () => (await db.prisma.event.count({ where: { dispatchedAt: null } })) === 0, 10_000, 'the setup events to be dispatched');

    const manageToken = tokenOf(links.manageUrl(subscriber));
    const unsubscribeToken = tokenOf(links.unsubscribeUrl(subscriber));
    const known: Record<string, Partial<Base>> = {
      'GET /v1/workstreams/:slug': { params: { slug: workstream.slug }, query: { asOf: '2024-06-30' } },
      'GET /v1/events': { query: { since: '2024-01-01' } },
      'GET /v1/admin/digests/preview': { query: { subscriber: subscriber.email, asOf: '2026-11-30' } },
      'GET /v1/subscriptions/confirm': { query: { token: usedConfirm.token } },
      'POST /v1/subscriptions/confirm': { query: { token: usedConfirm.token }, body: {}, form: { confirm: 'yes' } },
      'GET /v1/subscriptions/unsubscribe': { query: { token: unsubscribeToken } },
      // One-click unsubscribe ignores its body: the attacks go to the URL and the form's encoding.
      'POST /v1/subscriptions/unsubscribe': { query: { token: unsubscribeToken }, body: {}, form: { 'List-Unsubscribe': 'One-Click' } },
      'GET /v1/subscriptions/manage': { query: { token: manageToken } },
      'POST /v1/subscriptions/manage': {
        query: { token: manageToken },
        body: { sectors: ['space'], timezone: 'Asia/Tokyo', digestDay: 'friday', intersections: [{ country: 'PH', sector: 'space' }] },
        form: { action: 'save', countries: 'PH', timezone: 'UTC', digestDay: 'monday', digestHour: '8', alerts: 'on' },
      },
      'POST /v1/subscriptions': {
        body: { email: 'new-reader@example.org', countries: ['PH'], sectors: ['space'], workstreams: [workstream.slug], timezone: 'Asia/Tokyo', digestDay: 'monday' },
      },
      'POST /v1/admin/workstreams': { body: createBody('fuzz-created') },
      'POST /v1/admin/import': { body: { workstreams: [createBody('fuzz-imported')] } },
      'PATCH /v1/admin/workstreams/:id': {
        params: { id: workstream.slug },
        body: { title: 'Renamed', summary: 'Still\tfive vessels.', source: { quote: 'Q', title: 'T', url: 'https://example.org/q', date: '2024-01-05' } },
      },
      'DELETE /v1/admin/workstreams/:id': { params: { id: workstream.id } },
      'POST /v1/admin/workstreams/:id/milestones': {
        params: { id: workstream.slug },
        body: { title: 'Crew training', dueDate: day(200), plannedStart: day(100), note: 'Two\nlines' },
      },
      'PATCH /v1/admin/milestones/:id': {
        params: { id: workstream.milestoneId },
        body: { title: 'First vessel handed over', dueDate: day(150), plannedStart: day(20), note: 'Moved', evidenceUrl: 'https://example.org/e' },
      },
      'POST /v1/admin/checks': { body: { dryRun: true, asOf: '2027-01-01' } },
      'POST /v1/admin/api-keys': { body: { name: 'Fuzz key', role: 'editor' } },
      'DELETE /v1/admin/api-keys/:id': { params: { id: revocable.id } },
      'POST /v1/admin/deliveries/:id/retry': { params: { id: delivery.id } },
    };
    baseOf = (route) => {
      const cached = bases.get(route.key);
      if (cached) return cached;
      const given = known[route.key] ?? {};
      const base: Base = {
        params: Object.fromEntries(route.params.map((name) => [name, given.params?.[name] ?? 'fuzz'])),
        query: given.query ?? {},
        body: route.bodyKinds.includes('json') ? (given.body ?? { title: 'Fuzz', name: 'Fuzz', email: 'fuzz@example.org', date: '2024-01-01' }) : undefined,
        form: route.bodyKinds.includes('form') ? (given.form ?? { email: 'fuzz@example.org' }) : undefined,
      };
      bases.set(route.key, base);
      return base;
    };
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await dropQueueKeys(queuePrefix);
  });

  function attacksOn(route: Route): fc.Arbitrary<Attack> {
    const base = baseOf(route);
    const taken = Object.keys(base.query);
    // Mostly the parameters the route takes (so its own schema meets the value), sometimes any name the API uses.
    const queryName = taken.length ? fc.oneof({ arbitrary: fc.constantFrom(...taken), weight: 2 }, fc.constantFrom(...QUERY_NAMES)) : fc.constantFrom(...QUERY_NAMES);
    const options: fc.WeightedArbitrary<Attack>[] = [
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('query' as const), name: queryName, value: hostileUrlValue }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('query' as const), name: fc.constantFrom(...DATE_QUERY_NAMES), value: hostileDate.map(encodeURIComponent) }),
      },
      { weight: 1, arbitrary: hostileUrlValue.filter((name) => name.length < 1_000).map((name) => ({ kind: 'query-name' as const, name })) },
      {
        weight: 2,
        arbitrary: fc
          .constantFrom(...(route.bodyKinds.length ? ['text/plain', 'application/xml', 'text/html', 'application/octet-stream', 'multipart/form-data; boundary=fuzz', 'application/x-www-form-urlencoded', 'application/json; charset=iso-8859-1', null] : ['application/json', 'text/plain', null]))
          .filter((type) => route.bodyKinds.length === 0 || !acceptedBy(route, type))
          .map((contentType) => ({ kind: 'media' as const, contentType })),
      },
    ];
    if (route.params.length) {
      options.push({ weight: 3, arbitrary: fc.record({ kind: fc.constant('path' as const), param: fc.constantFrom(...route.params), value: hostileUrlValue }) });
    }
    const leaves = leavesOf(base.body);
    const dateLeaves = leaves.filter((leaf) => leaf.isDate);
    if (leaves.length) {
      options.push(
        { weight: 6, arbitrary: fc.record({ kind: fc.constant('leaf' as const), path: fc.constantFrom(...leaves.map((l) => l.path)), value: hostileText }) },
        { weight: 1, arbitrary: fc.constantFrom(...leaves).map((leaf) => ({ kind: 'bytes' as const, path: leaf.path })) },
      );
    }
    if (dateLeaves.length) {
      options.push({ weight: 4, arbitrary: fc.record({ kind: fc.constant('leaf' as const), path: fc.constantFrom(...dateLeaves.map((l) => l.path)), value: hostileDate }) });
    }
    if (base.form) {
      // Form fields get the body rule (tab and line feed are a multi-line field's); the routes narrow it.
      const value = fc.oneof(
        around(fc.constantFrom('\u0000', ...FORBIDDEN_IN_ANY_TEXT)).map(encodeURIComponent),
        fc.tuple(ascii, fc.constantFrom(...BAD_ESCAPES.filter((e) => e !== '%' && e !== '%zz')), ascii).map(([a, bad, b]) => encodeURIComponent(a) + bad + encodeURIComponent(b)),
      );
      options.push({ weight: 3, arbitrary: fc.record({ kind: fc.constant('form' as const), field: fc.constantFrom(...Object.keys(base.form)), value }) });
    }
    return fc.oneof(...options);
  }

  function acceptedBy(route: Route, contentType: string | null): boolean {
    if (contentType === null) return false;
    const [type, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
    if (parameters.some((p) => p.startsWith('charset=') && p !== 'charset=utf-8')) return false;
    return route.bodyKinds.some((kind) =>
      kind === 'json' ? type === 'application/json' : kind === 'form' ? type === 'application/x-www-form-urlencoded' : type === 'multipart/form-data',
    );
  }

  /** The request an attack makes: the route's valid base with exactly one hostile part. */
  function requestFor(route: Route, attack: Attack) {
    const base = baseOf(route);
    const params = Object.fromEntries(Object.entries(base.params).map(([name, value]) => [name, encodeURIComponent(value)]));
    const query = encodedQuery(base.query);
    let extra = '';
    let contentType: string | null = base.body !== undefined ? 'application/json' : null;
    let body: Buffer | undefined = base.body !== undefined ? Buffer.from(JSON.stringify(base.body)) : undefined;
    if (!route.bodyKinds.includes('json') && base.form) {
      contentType = 'application/x-www-form-urlencoded';
      body = Buffer.from(formText(base.form));
    }
    switch (attack.kind) {
      case 'path':
        params[attack.param] = attack.value;
        break;
      case 'query':
        query[attack.name] = attack.value;
        break;
      case 'query-name':
        extra = `${attack.name}=1`;
        break;
      case 'leaf':
        body = Buffer.from(JSON.stringify(withLeaf(base.body!, attack.path, attack.value)));
        contentType = 'application/json';
        break;
      case 'bytes': {
        const [before, after] = JSON.stringify(withLeaf(base.body!, attack.path, '@@BYTES@@')).split('@@BYTES@@');
        body = Buffer.concat([Buffer.from(before), INVALID_UTF8, Buffer.from(after)]);
        contentType = 'application/json';
        break;
      }
      case 'media':
        contentType = attack.contentType;
        // The example body: as JSON it asks for a dry run; as anything else it must not run a check.
        body = Buffer.from(base.body !== undefined ? JSON.stringify(base.body) : '{"dryRun":true,"asOf":"2027-01-01"}');
        break;
      case 'form': {
        const pairs = Object.entries(base.form!).map(([name, value]) =>
          name === attack.field ? `${encodeURIComponent(name)}=${attack.value}` : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
        );
        body = Buffer.from(pairs.join('&'));
        contentType = 'application/x-www-form-urlencoded';
        break;
      }
    }
    return { url: urlOf(route, params, query, extra), contentType, body };
  }

  it(`answers ${RUNS} hostile requests across every route with a documented problem+json 4xx and changes no row (seed ${SEED})`, async () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const before = await snapshot();
    const hits = new Map<string, number>();
    const arbitrary = fc.constantFrom(...routes).chain((route) => fc.tuple(fc.constant(route), attacksOn(route)));

    await fc.assert(
      fc.asyncProperty(arbitrary, async ([route, attack]) => {
        hits.set(route.key, (hits.get(route.key) ?? 0) + 1);
        const { url, contentType, body } = requestFor(route, attack);
        const res = await send(route.method, url, contentType, body);
        const where = `${route.method} ${url.slice(0, 300)} [${contentType}] → ${res.status} ${res.text.slice(0, 300)}`;
        if (res.status < 400 || res.status >= 500) throw new Error(`not a 4xx: ${where}`);
        if (!/^application\/problem\+json/.test(res.headers['content-type'] ?? '')) throw new Error(`not problem+json: ${where}`);
        if (!DOCUMENTED_CODES.has(res.body.code)) throw new Error(`undocumented code "${res.body.code}": ${where}`);
        if (String(res.body.instance).includes('?')) throw new Error(`instance carries the query: ${where}`);
        const after = await snapshot();
        if (after !== before) throw new Error(`rows changed: ${where}\n${before}\n→\n${after}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );

    // Every route of the table was attacked, a fair share each.
    const fewest = Math.min(...routes.map((route) => hits.get(route.key) ?? 0));
    expect(fewest).toBeGreaterThanOrEqual(Math.floor(RUNS / routes.length / 3));
  }, 180_000);

  it('answers nosniff on every GET route, and frame-ancestors \'none\' on every HTML page', async () => {
    let pages = 0;
    for (const route of routes.filter((r) => r.method === 'GET')) {
      const { params, query } = baseOf(route);
      const url = urlOf(route, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeURIComponent(v)])), encodedQuery(query));
      const res = await http().get(url).set(admin).set('Accept', 'text/html');
      expect({ route: route.key, nosniff: res.headers['x-content-type-options'] }).toEqual({ route: route.key, nosniff: 'nosniff' });
      if (/^text\/html/.test(res.headers['content-type'] ?? '')) {
        pages += 1;
        expect({ route: route.key, csp: res.headers['content-security-policy'] }).toEqual({ route: route.key, csp: expect.stringContaining("frame-ancestors 'none'") });
      }
    }
    // The digest preview, the unsubscribe and manage pages and the confirm page's 410 at least.
    expect(pages).toBeGreaterThanOrEqual(4);
  });
});

describe('Hostile input: the named cases', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let editor: Record<string, string>;
  let summit: string;
  let slug: string;
  const queuePrefix = testQueuePrefix('hostile-cases');
  const http = () => request(app.getHttpServer());

  const createBody = (overrides: Record<string, unknown> = {}) => ({
    title: 'Overdue radars',
    summary: 'Coastal radars.',
    summit,
    countries: ['PH'],
    sectors: ['maritime-security'],
    instrument: 'oda',
    stage: 'implementation',
    milestones: [{ title: 'Radars installed', dueDate: day(-20) }],
    ...overrides,
  });
  const counts = async () => ({
    runs: await db.prisma.statusCheckRun.count(),
    events: await db.prisma.event.count(),
    deliveries: await db.prisma.delivery.count(),
    milestones: await db.prisma.milestone.findMany({ select: { status: true } }),
  });
  const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ summit } = await insertReferenceData(db.prisma));
    editor = bearer((await insertApiKey(db.prisma, 'editor-cases', 'editor')).key);
    app = await bootApi(db.url, { QUEUE_PREFIX: queuePrefix });
    // A milestone 20 days overdue: a real status check would mark it and write events.
    slug = (await http().post('/v1/admin/workstreams').set(editor).send(createBody()).expect(201)).body.slug;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await dropQueueKeys(queuePrefix);
  });

  it('refuses a non-JSON body to POST /v1/admin/checks without running a check: no StatusCheckRun, no event, no delivery', async () => {
    const before = await counts();
    const dryRun = '{"dryRun":true,"asOf":"2027-01-01"}';
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', null]) {
      let req = http().post('/v1/admin/checks').set(editor);
      if (type) req = req.set('Content-Type', type);
      const res = await req.serialize(asIs).send(Buffer.from(dryRun));
      expect({ type, status: res.status, code: res.body.code }).toEqual({ type, status: 415, code: 'unsupported_media_type' });
    }
    expect(await counts()).toEqual(before);
    // The same body as JSON is the dry run it asks for, and writes nothing either.
    const json = await http().post('/v1/admin/checks').set(editor).set('Content-Type', 'application/json').send(dryRun);
    expect(json.status).toBeLessThan(300);
    expect(json.body.dryRun).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it('refuses NUL in a path segment or query, without a key too', async () => {
    for (const [method, url] of [
      ['get', '/v1/workstreams?q=%00'],
      ['get', '/v1/workstreams/%00'],
      ['patch', '/v1/admin/workstreams/%00'],
      ['delete', '/v1/admin/api-keys/%00'],
    ] as const) {
      const res = await http()[method](url).set(url.includes('admin') ? editor : {});
      expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 400, code: 'validation_failed' });
    }
  });

  it('refuses year 0000 and out-of-range days wherever a date goes, naming the field', async () => {
    const asOf = await http().get(`/v1/workstreams/${slug}?asOf=0000-01-01`).expect(400);
    expect(fieldsOf(asOf.body)).toEqual(['asOf']);
    await http().get('/v1/events?since=2101-01-01').expect(400);
    const source = { quote: 'q', title: 't', url: 'https://example.org', date: '0000-01-01' };
    const created = await http().post('/v1/admin/workstreams').set(editor).send(createBody({ source, milestones: [{ title: 'm', dueDate: '0000-01-01' }] })).expect(400);
    expect(fieldsOf(created.body).sort()).toEqual(['milestones.0.dueDate', 'source.date']);
    expect(created.body.errors[0].code).toBe('date_out_of_range');
    const added = await http().post(`/v1/admin/workstreams/${slug}/milestones`).set(editor).send({ title: 'm', dueDate: '2030-01-01', plannedStart: '1899-12-31' }).expect(400);
    expect(fieldsOf(added.body)).toEqual(['plannedStart']);
    // The edges of the range are days like any other.
    await http().post(`/v1/admin/workstreams/${slug}/milestones`).set(editor).send({ title: 'Far future', dueDate: '2100-12-31', plannedStart: '1900-01-01' }).expect(201);
  });

  it('refuses invalid UTF-8 and lone surrogates instead of storing U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('{"title":"'), INVALID_UTF8, Buffer.from('"}')]);
    const raw = await http().patch(`/v1/admin/workstreams/${slug}`).set(editor).set('Content-Type', 'application/json').serialize(asIs).send(bytes).expect(400);
    expect(raw.body.code).toBe('malformed_request');
    const lone = await http().patch(`/v1/admin/workstreams/${slug}`).set(editor).set('Content-Type', 'application/json').send('{"title":"\\ud800x"}').expect(400);
    expect(lone.body.errors[0]).toMatchObject({ field: 'title', code: 'invalid_unicode' });
    expect((await db.prisma.workstream.findFirstOrThrow({ where: { slug } })).title).toBe('Overdue radars');
  });

  it('keeps control characters out of one-line fields; multi-line fields take tab and line feed only', async () => {
    const title = await http().patch(`/v1/admin/workstreams/${slug}`).set(editor).send({ title: 'Radars\u001b[31m' }).expect(400);
    expect(title.body.errors[0]).toMatchObject({ field: 'title', code: 'control_character' });
    await http().patch(`/v1/admin/workstreams/${slug}`).set(editor).send({ title: 'Two\nlines' }).expect(400);
    const key = await http().post('/v1/admin/api-keys').set(bearer((await insertApiKey(db.prisma, 'admin-cases', 'admin')).key)).send({ name: 'Ana\r\nX-Evil: 1', role: 'editor' }).expect(400);
    expect(key.body.errors[0]).toMatchObject({ field: 'name', code: 'control_character' });
    const summary = await http().patch(`/v1/admin/workstreams/${slug}`).set(editor).send({ summary: 'Line one\n\tLine two' }).expect(200);
    expect(summary.body.summary).toBe('Line one\n\tLine two');
    await http().patch(`/v1/admin/workstreams/${slug}`).set(editor).send({ summary: 'Carriage\rreturn' }).expect(400);
    const topic = await http().post('/v1/subscriptions').send({ email: 'nul@example.org', countries: ['\u0000H'] }).expect(400);
    expect(topic.body.errors[0]).toMatchObject({ field: 'countries.0', code: 'control_character' });
  });

  it('refuses a body on a route that takes none, and an unknown query parameter on a route that takes none', async () => {
    const body = await http().delete(`/v1/admin/workstreams/${slug}`).set(editor).set('Content-Type', 'application/json').send('{}');
    expect([body.status, body.body.code]).toEqual([415, 'unsupported_media_type']);
    const query = await http().delete(`/v1/admin/workstreams/${slug}?force=1`).set(editor);
    expect([query.status, query.body.errors?.[0]?.code]).toEqual([400, 'unknown_field']);
    expect((await db.prisma.workstream.findFirstOrThrow({ where: { slug } })).archivedAt).toBeNull();
  });

  it('answers helmet headers on JSON and problem+json answers', async () => {
    const ok = await http().get('/v1/countries').expect(200);
    const problem = await http().get('/v1/nope').expect(404);
    for (const res of [ok, problem]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('answers a wrong method on a real route with 405 and Allow, from the route table; an unknown path stays 404', async () => {
    const cases: [string, string, string][] = [
      ['delete', '/v1/countries', 'GET, HEAD'],
      ['put', '/v1/subscriptions', 'POST'],
      ['delete', '/v1/subscriptions/confirm', 'GET, HEAD, POST'],
      ['patch', '/v1/subscriptions/unsubscribe', 'GET, HEAD, POST'],
      ['post', `/v1/workstreams/some-slug`, 'GET, HEAD'],
      ['put', '/v1/admin/subscribers/8d3f9f9e-3c1a-4c55-9a4c-2f8f0f0e0b11', 'DELETE'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await http()[method as 'get'](path);
      expect({ method, path, status: res.status, allow: res.headers.allow, code: res.body.code }).toEqual({ method, path, status: 405, allow, code: 'method_not_allowed' });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    const unknown = await http().delete('/v1/nope').expect(404);
    expect(unknown.headers.allow).toBeUndefined();
    expect(unknown.body.code).toBe('not_found');
  });
});

describe('Hostile input: no error body echoes a token from the URL', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const queuePrefix = testQueuePrefix('hostile-echo');
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    await insertReferenceData(db.prisma);
    app = await bootApi(db.url, { QUEUE_PREFIX: queuePrefix });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await dropQueueKeys(queuePrefix);
  });

  it('leaves used, expired and unknown link tokens out of every error body, HTML or problem+json', async () => {
    const subscriber = await db.prisma.subscriber.create({ data: { email: 'echo@example.org', state: 'pending' } });
    const used = newSingleUseToken();
    const expired = newSingleUseToken();
    await db.prisma.subscriberToken.createMany({
      data: [
        { subscriberId: subscriber.id, purpose: 'confirm', tokenHash: used.hash, expiresAt: new Date(Date.now() + 86_400_000), usedAt: new Date() },
        { subscriberId: subscriber.id, purpose: 'confirm', tokenHash: hashSingleUseToken(expired.token), expiresAt: new Date(Date.now() - 1_000) },
      ],
    });
    const unknown = newSingleUseToken().token;
    const forged = `${subscriber.id}.${'A'.repeat(43)}`;
    const cases: [string, string, string, number][] = [
      ['get', 'confirm', used.token, 410],
      ['get', 'confirm', expired.token, 410],
      ['get', 'confirm', unknown, 400],
      ['post', 'confirm', used.token, 410],
      ['post', 'confirm', expired.token, 410],
      ['post', 'confirm', unknown, 400],
      ['get', 'manage', forged, 400],
      ['post', 'manage', forged, 400],
      ['get', 'unsubscribe', forged, 400],
      ['post', 'unsubscribe', forged, 400],
    ];
    for (const [method, page, token, status] of cases) {
      for (const accept of ['application/json', 'text/html']) {
        const res = await http()[method as 'get'](`/v1/subscriptions/${page}?token=${encodeURIComponent(token)}`).set('Accept', accept);
        expect({ page, token, accept, status: res.status }).toEqual({ page, token, accept, status });
        expect(res.text).not.toContain(token);
        expect(res.text).not.toContain(encodeURIComponent(token));
        if (accept === 'application/json') expect(res.body.instance).toBe(`/v1/subscriptions/${page}`);
      }
    }
  });

  it('leaves a token in the query out of the error body of every route in the table', async () => {
    const token = newSingleUseToken().token;
    for (const route of routeTable(app)) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, 'no-such-thing');
      for (const accept of ['application/json', 'text/html']) {
        const res = await http()[route.method.toLowerCase() as 'get'](`${path}?token=${token}`).set('Accept', accept);
        // A browser asking for a workstream's JSON is sent to its page (303), which carries no token either.
        const refusedOrSentOn = res.status >= 400 || (res.status === 303 && !String(res.headers.location).includes(token));
        expect({ route: route.key, status: refusedOrSentOn }).toEqual({ route: route.key, status: true });
        expect({ route: route.key, echoed: res.text.includes(token) }).toEqual({ route: route.key, echoed: false });
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        if (/text\/html/.test(res.headers['content-type'] ?? '')) expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      }
    }
  });
});
