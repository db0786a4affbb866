import { describe, expect, it } from 'vitest';
import { runSteps, runStepsSoon, type WorkSteps } from './work-steps.ts';

function* busySteps(pieces: number, pieceMs: number): WorkSteps<number> {
  for (let i = 0; i < pieces; i++) {
    const until = performance.now() + pieceMs;
    while (performance.now() < until);
    yield;
  }
  return pieces;
}

describe('work steps', () => {
  it('runs every step at once, to the generator’s result', () => {
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    expect(runSteps(busySteps(5, 2))).toBe(5);
    expect(timerRan).toBe(false);
  });

  it('lets timers run between slices of work, and returns the same result', async () => {
    const fired: number[] = [];
    const timer = setInterval(() => fired.push(performance.now()), 1);
    try {
      expect(await runStepsSoon(busySteps(20, 5), 10)).toBe(20);
    } finally {
      clearInterval(timer);
    }
    // 100 ms of work in slices of about 10 ms: the interval got in between several times.
    expect(fired.length).toBeGreaterThanOrEqual(3);
  });

  it('hands a step’s error to the caller', async () => {
    function* failing(): WorkSteps<never> {
      yield;
      throw new RangeError('bad directory');
    }
    await expect(runStepsSoon(failing())).rejects.toThrow(RangeError);
    expect(() => runSteps(failing())).toThrow('bad directory');
  });
});
