import { describe, expect, it } from 'vitest';
import { arrivals, othersAnswered, requestArrived } from './activity.js';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 10));
  return done;
};

describe('heavy work lets requests go first (activity)', () => {
  it('waits for a request that arrived after the work began, until it is answered', async () => {
    const mark = arrivals();
    const answered = requestArrived();
    const waiting = othersAnswered(mark, 5_000);
    expect(await settled(waiting)).toBe(false);
    answered();
    expect(await settled(waiting)).toBe(true);
  });

  it('does not wait for the request that started the work (arrived before the mark)', async () => {
    const own = requestArrived();
    const mark = arrivals();
    expect(await settled(othersAnswered(mark, 5_000))).toBe(true);
    own();
  });

  it('moves on after the longest wait, however busy the server is', async () => {
    const mark = arrivals();
    const never = requestArrived();
    const t0 = performance.now();
    await othersAnswered(mark, 50);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    expect(performance.now() - t0).toBeLessThan(1_000);
    never();
  });

  it('counts arrivals, and an answer given twice is counted once', async () => {
    const before = arrivals();
    const a = requestArrived();
    const b = requestArrived();
    expect(arrivals()).toBe(before + 2);
    a();
    a();
    const mark = before;
    expect(await settled(othersAnswered(mark, 5_000))).toBe(false); // b still in flight
    b();
  });
});
