import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('runs calls made close together as one batch, answering each its own result', async () => {
    const runs: number[][] = [];
    const batcher = new MicroBatcher(async (xs: number[]) => {
      runs.push(xs);
      return xs.map((x) => x * 10);
    }, { maxSize: 100, maxWaitMs: 5 });
    await expect(Promise.all([1, 2, 3].map((x) => batcher.submit(x)))).resolves.toEqual([10, 20, 30]);
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it('flushes at once when a batch is full', async () => {
    const runs: number[][] = [];
    const batcher = new MicroBatcher(async (xs: number[]) => {
      runs.push(xs);
      return xs;
    }, { maxSize: 2, maxWaitMs: 10_000 });
    await Promise.all([1, 2, 3, 4].map((x) => batcher.submit(x)));
    expect(runs).toEqual([[1, 2], [3, 4]]);
  });

  it('fails every caller of a batch that fails', async () => {
    const batcher = new MicroBatcher(async () => {
      throw new Error('database down');
    }, { maxSize: 10, maxWaitMs: 1 });
    const results = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
