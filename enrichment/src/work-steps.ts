import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Long CPU work written as a generator that yields between pieces of a few milliseconds, run
 * at once (`runSteps`: scripts, tests) or letting the event loop in between (`runStepsSoon`: a
 * worker, whose other messages, heartbeats and slot renewals must not wait a second behind it).
 */
export type WorkSteps<T> = Generator<void, T, void>;

export function runSteps<T>(steps: WorkSteps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** Runs `steps`, giving the event loop a turn once a piece of work has run `sliceMs`. */
export async function runStepsSoon<T>(steps: WorkSteps<T>, sliceMs = 10): Promise<T> {
  let until = performance.now() + sliceMs;
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    if (performance.now() >= until) {
      await nextTurn();
      until = performance.now() + sliceMs;
    }
  }
}
