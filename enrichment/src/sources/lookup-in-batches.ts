import { ProviderUnavailableError } from './provider-errors.ts';
import type { LookupOptions, ProviderAnswer, ProviderQuery } from './provider.ts';

/**
 * Sends `queries` (distinct keys) in requests of at most `batchSize`, up to `concurrency` at
 * once, and returns every answer in query order. Each request's answers go to
 * `options.onAnswers` as they arrive (awaited before returning, not before the next request). Before each request it asks `options.answered`
 * for queries answered meanwhile (another chunk paid for them while this one waited its turn)
 * and sends only the rest, of which only those `options.claim` returns (when given). The first failure stops the rest (in-flight requests are aborted); a
 * ProviderUnavailableError then carries the answers already obtained, which were paid for.
 */
export async function lookupInBatches(
  queries: readonly ProviderQuery[],
  options: LookupOptions & { readonly batchSize: number; readonly concurrency: number },
  lookupBatch: (
    batch: readonly ProviderQuery[],
    options: LookupOptions,
  ) => Promise<ProviderAnswer[]>,
): Promise<ProviderAnswer[]> {
  const pending = [...queries];
  const byKey = new Map<string, ProviderAnswer>();
  const stop = new AbortController();
  const signal =
    options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
  // The first failure; later ones are the aborts it caused.
  const failures: unknown[] = [];
  const fail = (error: unknown): void => {
    failures.push(error);
    stop.abort(error);
  };
  const reports: Promise<void>[] = [];

  /** The next request's queries: up to batchSize of those nobody has answered meanwhile. */
  const nextBatch = async (): Promise<ProviderQuery[]> => {
    const batch: ProviderQuery[] = [];
    while (batch.length < options.batchSize && pending.length > 0) {
      const candidates = pending.splice(0, options.batchSize - batch.length);
      const known =
        options.answered === undefined
          ? new Map<string, ProviderAnswer>()
          : await options.answered(candidates.map((query) => query.key));
      const unknown: ProviderQuery[] = [];
      for (const query of candidates) {
        const answer = known.get(query.key);
        if (answer === undefined) unknown.push(query);
        else byKey.set(query.key, answer);
      }
      const mine =
        options.claim === undefined || unknown.length === 0
          ? undefined
          : await options.claim(unknown.map((query) => query.key));
      // Queries another lookup is asking right now are left out: their answers are not ours.
      for (const query of unknown) if (mine === undefined || mine.has(query.key)) batch.push(query);
    }
    return batch;
  };

  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && pending.length > 0) {
      try {
        const batch = await nextBatch();
        if (batch.length === 0) continue;
        const answers = await lookupBatch(batch, {
          jobId: options.jobId,
          signal,
          onRequest: options.onRequest,
        });
        // Not awaited here: the next request need not wait for the cache write.
        const reported = options.onAnswers?.(answers);
        if (reported !== undefined)
          reports.push(
            reported.catch((error: unknown) => {
              fail(error);
            }),
          );
        for (const answer of answers) byKey.set(answer.key, answer);
      } catch (error) {
        fail(error);
      }
    }
  };
  const requests = Math.ceil(queries.length / options.batchSize);
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, requests) }, () => worker()),
  );
  await Promise.all(reports);

  const answers = queries.flatMap((query) => byKey.get(query.key) ?? []);
  if (failures.length > 0) {
    options.signal?.throwIfAborted();
    const error = failures[0];
    if (error instanceof ProviderUnavailableError) throw error.withAnswered(answers);
    throw error;
  }
  return answers;
}
