import { createWorkstream } from './support/fixtures';
import { record } from './support/report';
import { SmallStack } from './support/small-stack';
import { ADMIN_KEY, call, knob } from './support/stack';

/**
 * R7: EDITORS editors patch one workstream at once, each with the version it read → per version
 * exactly one wins and the rest get 409; no update is lost (the row ends as the last winner wrote
 * it, its version counts every win, and each round starts from the previous winner's text).
 */
const EDITORS = knob('R7_EDITORS', 20);
const ROUNDS = knob('R7_ROUNDS', 10);

describe('R7 concurrent editors on one workstream', () => {
  const stack = new SmallStack();
  afterAll(() => stack.stop());

  it(`${EDITORS} editors × ${ROUNDS} rounds: one winner per version, the rest 409, nothing lost`, async () => {
    await stack.start();
    const ws = await createWorkstream(stack.api.base, 'Patrol vessels for the Philippine Coast Guard');
    const read = async () => (await call(stack.api.base, 'GET', `/v1/workstreams/${ws.slug}`)).json as { summary: string; version: number };
    const startVersion = (await read()).version;
    let roundsWithOneWinner = 0;
    let conflicts = 0;
    let other = 0;
    let chainKept = 0;
    let lastWinner = '';
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      const seen = await read();
      if (round === 0 || seen.summary === lastWinner) chainKept += 1;
      const answers = await Promise.all(
        Array.from({ length: EDITORS }, (_, editor) =>
          call(stack.api.base, 'PATCH', `/v1/admin/workstreams/${ws.id}`, {
            key: ADMIN_KEY,
            headers: { 'If-Match': `"${seen.version}"` },
            body: { summary: `Round ${round}, editor ${editor}.` },
          }).then((a) => ({ ...a, editor })),
        ),
      );
      const winners = answers.filter((a) => a.status === 200);
      conflicts += answers.filter((a) => a.status === 409 && a.json?.code === 'version_conflict').length;
      other += answers.filter((a) => a.status !== 200 && a.status !== 409).length;
      if (winners.length === 1) {
        roundsWithOneWinner += 1;
        lastWinner = `Round ${round}, editor ${winners[0].editor}.`;
      }
    }
    const final = await read();
    const broken = record({
      trial: 'R7',
      backend: '-',
      title: `${EDITORS} concurrent editors`,
      figures: { requests: EDITORS * ROUNDS, winners: roundsWithOneWinner, conflicts409: conflicts, otherAnswers: other, seconds: (Date.now() - started) / 1000 },
      checks: {
        'exactly one winner per version': roundsWithOneWinner === ROUNDS,
        'every other editor got 409 version_conflict': conflicts === (EDITORS - 1) * ROUNDS && other === 0,
        'each round read the previous winner (no lost update)': chainKept === ROUNDS,
        'the final row is the last winner, its version counts every win': final.summary === lastWinner && final.version === startVersion + ROUNDS,
      },
    });
    expect(broken).toEqual([]);
  });
});
