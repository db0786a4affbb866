import { describe, expect, it } from 'vitest';
import { DependencyError } from './errors.ts';
import { retry, retryUnprocessed, UnprocessedEntriesError } from './retry.ts';

class Flaky extends Error {}

/** An operation that fails `failures` times with `error`, then returns its attempt number. */
function failing(failures: number, error: () => Error = () => new Flaky('not yet')) {
  const calls: number[] = [];
  const operation = (attempt: number): Promise<number> => {
    calls.push(attempt);
    return calls.length <= failures ? Promise.reject(error()) : Promise.resolve(attempt);
  };
  return { calls, operation };
}

const retryFlaky = (error: unknown) => error instanceof Flaky;

describe('retry', () => {
  it('tries again after a retryable failure and returns the first success', async () => {
    const { calls, operation } = failing(2);
    const waits: number[] = [];
    const result = await retry(operation, {
      attempts: 5,
      baseMs: 1,
      shouldRetry: retryFlaky,
      onRetry: (_error, attempt, delayMs) => waits.push(attempt, delayMs),
    });
    expect(result).toBe(3);
    expect(calls).toEqual([1, 2, 3]);
    expect(waits).toHaveLength(4);
  });

  it('tries exactly `attempts` times, then throws the last error', async () => {
    let n = 0;
    const { calls, operation } = failing(10, () => new Flaky(`failure ${++n}`));
    await expect(
      retry(operation, { attempts: 3, baseMs: 1, shouldRetry: retryFlaky }),
    ).rejects.toThrow('failure 3');
    expect(calls).toEqual([1, 2, 3]);
  });

  it('throws a failure shouldRetry refuses at once, without waiting', async () => {
    const denied = new Error('AccessDenied');
    const { calls, operation } = failing(1, () => denied);
    const started = Date.now();
    await expect(
      retry(operation, { attempts: 5, baseMs: 10_000, shouldRetry: retryFlaky }),
    ).rejects.toBe(denied);
    expect(calls).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops waiting when the signal aborts and rejects with its reason', async () => {
    const abort = new AbortController();
    const { calls, operation } = failing(10);
    const reason = new Error('shutting down');
    const pending = retry(operation, {
      attempts: 5,
      baseMs: 60_000,
      signal: abort.signal,
      shouldRetry: retryFlaky,
      onRetry: () => {
        abort.abort(reason);
      },
    });
    await expect(pending).rejects.toBe(reason);
    expect(calls).toEqual([1]);
  });

  it('does not start when the signal is already aborted', async () => {
    const { calls, operation } = failing(0);
    await expect(
      retry(operation, { attempts: 3, signal: AbortSignal.abort(), shouldRetry: retryFlaky }),
    ).rejects.toThrow();
    expect(calls).toEqual([]);
  });

  it('keeps retrying up to a deadline when attempts are endless, never waiting past it', async () => {
    const { calls, operation } = failing(Infinity);
    const started = Date.now();
    await expect(
      retry(operation, {
        attempts: Infinity,
        baseMs: 20,
        capMs: 20,
        deadlineMs: 150,
        shouldRetry: retryFlaky,
      }),
    ).rejects.toBeInstanceOf(Flaky);
    const elapsed = Date.now() - started;
    expect(calls.length).toBeGreaterThan(3);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1000);
  });

  it('refuses options that cannot end or make no sense', async () => {
    const { operation } = failing(0);
    await expect(retry(operation, { attempts: 0, shouldRetry: retryFlaky })).rejects.toThrow(
      RangeError,
    );
    await expect(retry(operation, { attempts: 1.5, shouldRetry: retryFlaky })).rejects.toThrow(
      RangeError,
    );
    await expect(retry(operation, { attempts: Infinity, shouldRetry: retryFlaky })).rejects.toThrow(
      'deadlineMs',
    );
  });
});

describe('retryUnprocessed', () => {
  it('sends again only the entries a batch call left unprocessed', async () => {
    const sent: string[][] = [];
    await retryUnprocessed(
      ['a', 'b', 'c', 'd'],
      (items) => {
        sent.push([...items]);
        // Each call processes only its first entry.
        return Promise.resolve(items.slice(1));
      },
      { what: 'letters', baseMs: 1 },
    );
    expect(sent).toEqual([['a', 'b', 'c', 'd'], ['b', 'c', 'd'], ['c', 'd'], ['d']]);
  });

  it('gives up after its attempts with a DependencyError naming how many were left', async () => {
    let calls = 0;
    const outcome = retryUnprocessed(
      ['a', 'b'],
      (items) => {
        calls++;
        return Promise.resolve(items);
      },
      { what: 'letters', attempts: 3, baseMs: 1 },
    );
    await expect(outcome).rejects.toBeInstanceOf(UnprocessedEntriesError);
    await expect(outcome).rejects.toBeInstanceOf(DependencyError);
    await expect(outcome).rejects.toThrow('2 letters were not processed');
    expect(calls).toBe(3);
  });

  it('does not retry an error the call itself threw (the SDK already retried it)', async () => {
    let calls = 0;
    const outcome = retryUnprocessed(
      ['a'],
      () => {
        calls++;
        return Promise.reject(new DependencyError('SQS down'));
      },
      { what: 'letters', baseMs: 1 },
    );
    await expect(outcome).rejects.toThrow('SQS down');
    expect(calls).toBe(1);
  });
});
