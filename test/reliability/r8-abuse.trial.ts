import { simpleParser } from 'mailparser';
import { createWorkstream, insertAudience, rescheduleMilestone } from './support/fixtures';
import { record } from './support/report';
import { SmallStack } from './support/small-stack';
import { ApiProcess, call, knob, median, sql, until } from './support/stack';

/**
 * R8: abuse. Subscribe flooding from one address and one client hits 429 with Retry-After; the
 * subscribe answer and its timing do not reveal whether an address is known (median difference
 * under 5 ms over SAMPLES known and SAMPLES unknown, limits raised by configuration); confirm
 * tokens are single-use and a guessed one is refused; markup and header injection arrive inert in
 * the received MIME and the rendered page.
 */
const SAMPLES = knob('R8_SAMPLES', 200);
const MARKUP = '<img src=x onerror=alert(1)> "Patrol" & <b>vessels</b>';

describe('R8 abuse: floods, timing, tokens, injection', () => {
  const stack = new SmallStack('redis', { worker: true, sink: { keepRaw: true } });
  let loose: ApiProcess | undefined;
  afterAll(async () => {
    await loose?.kill();
    await stack.stop();
  });

  it('floods get 429 + Retry-After; known and unknown addresses look alike; tokens single-use; injection inert', async () => {
    await stack.start();
    const subscribe = (base: string, email: string) => call(base, 'POST', '/v1/subscriptions', { body: { email, countries: ['PH'], timezone: 'Asia/Manila' } });

    // Floods, at the default limits.
    const sameAddress = [];
    for (let i = 0; i < 4; i++) sameAddress.push(await subscribe(stack.api.base, 'target@reliability.example'));
    const fromOneClient = [];
    for (let i = 0; i < 10; i++) fromOneClient.push(await subscribe(stack.api.base, `flood${i}@reliability.example`));
    const limited = [...sameAddress, ...fromOneClient].filter((a) => a.status === 429);
    const retryAfterOk = limited.every((a) => Number(a.headers.get('retry-after')) >= 1 && a.json?.code === 'rate_limited');

    // Timing, limits raised by configuration (a second API process on the same database and Redis).
    loose = await ApiProcess.create({ ...stack.env, SUBSCRIBE_LIMIT_PER_IP: '1000000/60', SUBSCRIBE_LIMIT_PER_ADDRESS: '1000000/60' });
    await loose.start();
    await sql(
      stack.db.url,
      `INSERT INTO "Subscriber" (id, email, state, alerts, digest, "confirmedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), 'known' || i || '@reliability.example', 'active', true, true, now(), now(), now() FROM generate_series(1, $1::int) i`,
      [SAMPLES],
    );
    const known: number[] = [];
    const unknown: number[] = [];
    const bodies = new Set<string>();
    const statuses = new Set<number>();
    for (let i = 1; i <= SAMPLES; i++) {
      for (const [list, email] of [[known, `known${i}@reliability.example`], [unknown, `stranger${i}@reliability.example`]] as const) {
        const a = await subscribe(loose.base, email);
        list.push(a.ms);
        bodies.add(a.text);
        statuses.add(a.status);
      }
    }
    const medianGapMs = Math.abs(median(known) - median(unknown));

    // Tokens: the confirmation link works once; a guessed token is refused.
    const before = stack.sink.received.length;
    const newcomer = await subscribe(loose.base, 'newcomer@reliability.example');
    // A missing email is a broken promise recorded below, not a crash of the trial.
    await until('the confirmation email', 60_000, async () => stack.sink.received.slice(before).some((m) => m.to === 'newcomer@reliability.example')).catch(() => false);
    const confirmationRaw = stack.sink.received.find((m) => m.to === 'newcomer@reliability.example')?.raw;
    const confirmation = confirmationRaw ? await simpleParser(confirmationRaw) : undefined;
    const link = /https?:\/\/\S+\/v1\/subscriptions\/confirm\?token=[\w.~-]+/.exec(confirmation?.text ?? '')?.[0];
    const token = link ? new URL(link).searchParams.get('token')! : '';
    const first = await call(loose.base, 'POST', `/v1/subscriptions/confirm?token=${encodeURIComponent(token)}`);
    const second = await call(loose.base, 'POST', `/v1/subscriptions/confirm?token=${encodeURIComponent(token)}`);
    const guessed = await call(loose.base, 'POST', `/v1/subscriptions/confirm?token=${'A'.repeat(token.length || 40)}`);

    // Injection: markup in editor fields reaches an alert and the manage page inert; CR/LF in an address is refused.
    const headerInjection = await subscribe(loose.base, 'victim@reliability.example\r\nBcc: evil@attacker.example');
    const audience = await insertAudience(stack.db.url, 1, 900_000);
    const ws = await createWorkstream(stack.api.base, `Patrol vessels ${MARKUP}`, { summary: `Summary ${MARKUP}` });
    await rescheduleMilestone(stack.api.base, stack.db.url, ws.milestones[0].id, 250);
    await until('the alert with markup', 60_000, async () => stack.sink.received.some((m) => m.to === audience[0]));
    const alert = await simpleParser(stack.sink.received.find((m) => m.to === audience[0])!.raw!);
    const html = typeof alert.html === 'string' ? alert.html : '';
    const manageLink = /https?:\/\/\S+\/v1\/subscriptions\/manage\?token=[\w.~-]+/.exec(alert.text ?? '')?.[0];
    const page = manageLink ? await call(loose.base, 'GET', new URL(manageLink).pathname + new URL(manageLink).search, { headers: { Accept: 'text/html' } }) : undefined;
    const inert = (s: string) => !/<img src=x/i.test(s) && !/<b>vessels<\/b>/.test(s);
    const toEvil = stack.sink.received.some((m) => m.to.includes('attacker.example'));

    const broken = record({
      trial: 'R8',
      backend: '-',
      title: 'abuse: floods, timing, tokens, injection',
      figures: {
        requests: 14 + 2 * SAMPLES + 5,
        limited429: limited.length,
        medianKnownMs: median(known),
        medianUnknownMs: median(unknown),
        medianGapMs,
        distinctAnswers: bodies.size,
        newcomerSubscribe: newcomer.status,
        confirmFirst: first.status,
        confirmAgain: `${second.status} ${second.json?.status ?? second.json?.code ?? ''}`,
        guessedToken: `${guessed.status} ${guessed.json?.code ?? ''}`,
        headerInjection: `${headerInjection.status} ${headerInjection.json?.code ?? ''}`,
      },
      checks: {
        'the 4th subscribe of one address is 429': sameAddress[3]?.status === 429,
        'a flood from one client is 429': fromOneClient.some((a) => a.status === 429),
        'every 429 carries Retry-After and code rate_limited': limited.length > 0 && retryAfterOk,
        'known and unknown addresses get the same answer': bodies.size === 1 && statuses.size === 1 && statuses.has(202),
        'median timing gap under 5 ms': medianGapMs < 5,
        'the confirmation link works once': first.status === 200,
        'a used confirmation token is refused': second.status >= 400 && second.status < 500,
        'a guessed token is refused': guessed.status >= 400 && guessed.status < 500,
        'CR/LF in an address is refused, nothing sent to the injected Bcc': headerInjection.status === 400 && !toEvil,
        'markup arrives inert in the alert (HTML and subject)': inert(html) && !/[\r\n]/.test(alert.subject ?? '') && !alert.headers.has('bcc'),
        'markup arrives inert in the rendered page': !!page && page.status === 200 && inert(page.text),
      },
    });
    expect(broken).toEqual([]);
  });
});
