import { recognizeColumns, type ExplicitColumnMapping } from '@contacts/enrichment';
import {
  NO_PROVIDER_USAGE,
  objectKeys,
  type Job,
  type PageMessage,
  type ProviderUsage,
} from '@contacts/shared';
import { enrichRecords, type RowToEnrich } from '../csv/enrich-rows.ts';
import { decodeFetchedPage, type FetchedPage } from '../mailchimp/fetched-page.ts';
import { EMAIL_COLUMN } from '../mailchimp/member-rows.ts';
import { layoutOf, writeBackIndex } from '../mailchimp/page-layout.ts';
import { batchOf, planWriteBack, writableTags } from '../mailchimp/write-back-plan.ts';
import type { DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { ACTIVE, countChunk, providerLookup } from './chunk.ts';

/**
 * A page of a Mailchimp job: reads the members its fetch stored (see page-fetch.ts), enriches them as rows under the job's header and writes the page's part under its index,
 * like a CSV chunk. With write-back, it stores the page's plan (members and changed fields) and
 * sends one message per batch of 500; batch slots it does not need are counted done at once.
 * A redelivery rewrites the same keys, resends batch messages (each batch sends at most once)
 * and counts nothing twice.
 */
export async function handlePage(
  deps: PipelineDeps,
  message: PageMessage,
  context: DeliveryContext,
): Promise<void> {
  const job = await deps.jobs.get(message.jobId);
  if (job?.tenantId !== message.tenantId || !ACTIVE.includes(job.status)) {
    context.logger.info({ status: job?.status }, 'page skipped: job not active');
    return;
  }
  const columns = job.columns ?? [];
  const page = await readFetchedPage(deps, job, message, columns);
  const rows: RowToEnrich[] = page.rows.map((fields, i) => ({
    fields: [...fields],
    rowNumber: message.rowStart + i,
    problem: undefined,
  }));
  const enricher = await deps.enrichers(job);
  let usage: ProviderUsage = NO_PROVIDER_USAGE;
  const lookup = providerLookup(deps, job, message.index, context, (used) => {
    usage = used;
  });
  const writeBack = job.source?.writeBack === true;
  const result = await enrichRecords(rows, enricher, lookup, { keepRows: writeBack });
  context.signal.throwIfAborted();
  await deps.objects.put(objectKeys.part(job, message.index), result.output);
  if (result.rejected > 0)
    await deps.objects.put(objectKeys.rejectsPart(job, message.index), result.rejects);
  if (writeBack) {
    const emailAt = columns.indexOf(EMAIL_COLUMN);
    const plan = planWriteBack(
      page.rows.map((fields, i) => ({
        email: fields[emailAt] ?? '',
        rowNumber: message.rowStart + i,
        enriched: result.enriched[i] ?? { values: [] },
      })),
      writableTags(columns, recognizeColumns(columns, mappingOf(job))),
    );
    await deps.objects.put(objectKeys.writeBackPlan(job, message.index), JSON.stringify(plan));
    await sendBatches(
      deps,
      job,
      message.index,
      (batch) => batchOf(plan, batch).length > 0,
      context,
    );
  }
  // The audience changed size between split and this page's fetch: members may have moved
  // across pages. Counted here, with the page, so once.
  const shifted = page.totalItems !== job.sourceMembers;
  if (shifted)
    context.logger.warn(
      { pinned: job.sourceMembers, now: page.totalItems, page: message.index },
      'audience changed during the import',
    );
  await countChunk(
    deps,
    job,
    {
      index: message.index,
      rows: result.rows,
      rejected: result.rejected,
      provider: usage,
      source: { writtenBack: 0, writeBackErrors: 0, shifts: shifted ? 1 : 0 },
    },
    context,
  );
}

/** Sends the page's needed batches and counts its unneeded slots done (empty). */
async function sendBatches(
  deps: PipelineDeps,
  job: Job,
  page: number,
  needed: (batch: number) => boolean,
  context: DeliveryContext,
): Promise<void> {
  const layout = layoutOf(job);
  const batches = Array.from({ length: layout.slotsPerPage }, (_, batch) => batch);
  await deps.publisher.sendChunks(
    batches.filter(needed).map((batch) => ({
      type: 'writeback.batch',
      v: 1,
      jobId: job.id,
      tenantId: job.tenantId,
      index: writeBackIndex(layout, page, batch),
      page,
      batch,
    })),
  );
  for (const batch of batches.filter((b) => !needed(b))) {
    await countChunk(
      deps,
      job,
      { index: writeBackIndex(layout, page, batch), rows: 0, rejected: 0 },
      context,
    );
  }
}

async function readFetchedPage(
  deps: PipelineDeps,
  job: Job,
  message: PageMessage,
  columns: readonly string[],
): Promise<FetchedPage> {
  const body = await deps.objects.read(objectKeys.fetchedPage(job, message.index));
  const text = Buffer.concat((await body.toArray()) as Buffer[]).toString('utf8');
  return decodeFetchedPage(text, message.count, columns);
}

function mappingOf(job: Job): ExplicitColumnMapping | undefined {
  return job.options.columnMapping;
}
