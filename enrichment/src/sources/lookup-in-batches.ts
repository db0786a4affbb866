import { ProviderUnavailableError } from './provider-errors.ts';
import type { LookupOptions, ProviderAnswer, ProviderQuery } from './provider.ts';

/**
 * Splits `queries` into requests of at most `batchSize`, runs up to `concurrency` of them at
 * once, and returns every answer in query order. The first failure stops the rest (in-flight
 * requests are aborted); a ProviderUnavailableError then carries the answers already obtained,
 * which were paid for.
 */
export async function lookupInBatches(
  queries: readonly ProviderQuery[],
  options: LookupOptions & { readonly batchSize: number; readonly concurrency: number },
  lookupBatch: (
    batch: readonly ProviderQuery[],
    options: LookupOptions,
  ) => Promise<ProviderAnswer[]>,
): Promise<ProviderAnswer[]> {
  const batches: (readonly ProviderQuery[])[] = [];
  for (let start = 0; start < queries.length; start += options.batchSize)
    batches.push(queries.slice(start, start + options.batchSize));
  const results: (ProviderAnswer[] | undefined)[] = batches.map(() => undefined);
  const stop = new AbortController();
  const signal =
    options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
  let next = 0;
  // The first failure; later ones are the aborts it caused.
  const failures: unknown[] = [];

  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && next < batches.length) {
      const index = next++;
      const batch = batches[index] ?? [];
      try {
        results[index] = await lookupBatch(batch, {
          jobId: options.jobId,
          signal,
          onRequest: options.onRequest,
        });
      } catch (error) {
        failures.push(error);
        stop.abort(error);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, batches.length) }, () => worker()),
  );

  if (failures.length > 0) {
    options.signal?.throwIfAborted();
    const error = failures[0];
    if (error instanceof ProviderUnavailableError)
      throw error.withAnswered(results.flatMap((answers) => answers ?? []));
    throw error;
  }
  return results.flatMap((answers) => answers ?? []);
}
