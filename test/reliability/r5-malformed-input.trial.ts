import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ROOT } from '../support/processes';
import { createWorkstream } from './support/fixtures';
import { record } from './support/report';
import { routeTable, SmallStack } from './support/small-stack';
import { ADMIN_KEY, call, knob } from './support/stack';

/**
 * R5: REQUESTS malformed requests from a property-based generator against every admin and public
 * write route of the app's route table → no 5xx, every answer problem+json with a code docs/api.md
 * documents, and the database byte-for-byte as before (pg_dump before and after). Every generated
 * body is invalid by construction (a field of the wrong type, or not a JSON object at all), so no
 * answer may legitimately write anything.
 */
const REQUESTS = knob('R5_REQUESTS', 2_000);
const SEED = knob('R5_SEED', 15);
const WRONG_TYPED = { title: 7, summary: [], email: 42, name: 5, role: 5, url: 5, status: 9, stage: 3, dueDate: 5, countries: 'PH', sectors: 1, workstreams: 5, milestones: 'x', notify: 'yes', timezone: 1 };
const dump = (url: string) => execFileSync('pg_dump', ['--no-owner', '--no-privileges', '--restrict-key=reliability', url], { maxBuffer: 256 * 1024 * 1024 }).toString();

describe('R5 malformed input on every write route', () => {
  const stack = new SmallStack();
  afterAll(() => stack.stop());

  it(`${REQUESTS} generated malformed requests: no 5xx, problem+json with documented codes, database unchanged`, async () => {
    await stack.start();
    const ws = await createWorkstream(stack.api.base, 'Patrol vessels for the Philippine Coast Guard');
    const documented = new Set(readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8').match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? []);
    // Routes that read no body (run the check now, archive, revoke) would act on a valid id whatever
    // the body: they get the body with an id that does not exist, so the answer must still be a problem.
    // POST /v1/admin/checks reads no body and runs the check (it writes its run row): not a target.
    const writes = routeTable(stack.api.logs()).filter((r) => ['POST', 'PATCH', 'PUT', 'DELETE'].includes(r.method) && r.path.startsWith('/v1/') && r.path !== '/v1/admin/checks');
    const bodiless = (method: string, p: string) => method === 'DELETE' || /\/(checks|retry)$/.test(p) || p.endsWith('/checks');
    const idFor = (method: string, p: string) => (bodiless(method, p) ? '00000000-0000-4000-8000-000000000000' : /milestones/.test(p) ? ws.milestones[0].id : ws.slug);

    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant('x'.repeat(100_000)), fc.constantFrom('2025-02-30', '0000-00-00', '9999-99-99', '2024-13-01', 'ZZ', 'unknown-sector', '\u0000', '<script>', '../../etc/passwd'));
    const body = fc.oneof(
      fc.record({ extra: fc.dictionary(fc.string({ maxLength: 12 }), text, { maxKeys: 4 }) }).map(({ extra }) => ({ raw: JSON.stringify({ ...extra, ...WRONG_TYPED }) })),
      fc.constantFrom(...Object.keys(WRONG_TYPED)).chain((k) => text.map((t) => ({ raw: JSON.stringify({ [k]: { nested: t }, dueDate: t === '' ? 1 : [t], email: 1 }) }))),
      text.map((t) => ({ raw: `{"title": ${JSON.stringify(t)}, ` })), // broken JSON
      fc.integer({ min: 200, max: 20_000 }).map((depth) => ({ raw: `${'['.repeat(depth)}${']'.repeat(depth)}` })), // deeply nested
      fc.constant({ raw: JSON.stringify({ title: 'x'.repeat(3 * 1024 * 1024), email: 1 }) }), // oversized
      fc.constantFrom('null', '42', '"a string"', '[]', 'true', '{"email":1,"email":"a@b.example","title":1,"title":"dup"}').map((raw) => ({ raw })), // not an object, duplicate keys
    );
    const headers = fc.oneof(
      fc.constant({}),
      fc.constantFrom('"abc"', 'W/', '*', '"-1"', '"99999999999999999999"', 'x'.repeat(4_000)).map((v) => ({ 'If-Match': v })),
      fc.constantFrom('text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json, text/html').map((v) => ({ 'Content-Type': v })),
      fc.constantFrom('../..', '%00', 'é'.repeat(300)).map((v) => ({ 'X-Forwarded-For': v, 'Accept-Language': v })),
    );
    const requests = fc.sample(fc.record({ route: fc.constantFrom(...writes), body, headers, auth: fc.boolean() }), { numRuns: REQUESTS, seed: SEED });

    const before = dump(stack.db.url);
    const bad: string[] = [];
    let fivexx = 0;
    let notProblem = 0;
    let undocumented = 0;
    const codes = new Map<string, number>();
    const undocumentedSeen = new Set<string>();
    for (const r of requests) {
      const route = r.route.path.replace(/:[A-Za-z]+/g, idFor(r.route.method, r.route.path));
      const answer = await call(stack.api.base, r.route.method, route, {
        key: r.auth || route.startsWith('/v1/admin') ? ADMIN_KEY : undefined,
        rawBody: r.body.raw,
        headers: { 'Content-Type': 'application/json', ...r.headers },
      });
      const code = answer.json?.code as string | undefined;
      codes.set(`${answer.status} ${code}`, (codes.get(`${answer.status} ${code}`) ?? 0) + 1);
      const isProblem = /application\/problem\+json/.test(answer.headers.get('content-type') ?? '') && typeof code === 'string';
      if (answer.status >= 500 || answer.status === 0) fivexx += 1;
      if (!isProblem || answer.status < 400) notProblem += 1;
      else if (!documented.has(code)) {
        undocumented += 1;
        undocumentedSeen.add(code);
      }
      if ((answer.status >= 500 || !isProblem || answer.status < 400) && bad.length < 8) {
        bad.push(`${r.route.method} ${r.route.path} ${r.body.raw.slice(0, 60)} → ${answer.status} ${answer.text.slice(0, 100)}`);
      }
    }
    const unchanged = dump(stack.db.url) === before;
    const broken = record({
      trial: 'R5',
      backend: '-',
      title: 'generated malformed requests (fast-check)',
      figures: { routes: writes.length, requests: requests.length, fivexx, notProblemJson: notProblem, undocumentedCodes: undocumented, answers: [...codes].map(([k, n]) => `${k}×${n}`).join(', ') },
      checks: {
        'no 5xx (nor a dropped connection)': fivexx === 0,
        'every answer is a 4xx problem+json with a code': notProblem === 0,
        'every code is documented in docs/api.md': undocumented === 0,
        'the database is byte-for-byte unchanged': unchanged,
      },
      note: [bad.length ? `First offenders: ${bad.join('; ')}` : '', undocumentedSeen.size ? `Codes answered but not in docs/api.md: ${[...undocumentedSeen].join(', ')}` : '']
        .filter(Boolean)
        .join('\n\n') || undefined,
    });
    expect(broken).toEqual([]);
  });
});
