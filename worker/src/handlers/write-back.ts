import { randomUUID } from 'node:crypto';
import { formatRejectsRecord } from '@contacts/enrichment';
import {
  DependencyError,
  formatCsvRow,
  objectKeys,
  type Job,
  type WriteBackCounts,
  type WriteBackMessage,
} from '@contacts/shared';
import { openAudience } from '../mailchimp/open-audience.ts';
import type { MemberError } from '../mailchimp/audience.ts';
import { batchOf, type PlannedUpdate, type WriteBackPlan } from '../mailchimp/write-back-plan.ts';
import { DeferDeliveryError, type DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { ACTIVE, countChunk } from './chunk.ts';

/**
 * One write-back batch: sends the changed fields of up to 500 members of a page's plan in one
 * batch upsert, puts the members the audience refused in the batch's rejects part and counts
 * the batch done with its counts. Its idempotency record makes it send at most once per batch:
 * a redelivery of a sent batch only counts (nothing twice); one that finds another delivery
 * sending it comes back later.
 */
export async function handleWriteBack(
  deps: PipelineDeps,
  message: WriteBackMessage,
  context: DeliveryContext,
): Promise<void> {
  const job = await deps.jobs.get(message.jobId);
  if (job?.tenantId !== message.tenantId || !ACTIVE.includes(job.status)) {
    context.logger.info({ status: job?.status }, 'write-back skipped: job not active');
    return;
  }
  const records = deps.writeBacks;
  if (records === undefined) throw new DependencyError('write-back records are not configured');
  const holder = `${context.messageId}/${randomUUID()}`;
  const claim = await records.claim(job.id, message.index, holder, deps.leaseMs);
  let counts: WriteBackCounts;
  if (claim.state === 'held') {
    const retryAfterSeconds = Math.max(1, Math.ceil((claim.leaseUntil - Date.now()) / 1000));
    throw new DeferDeliveryError(`write-back ${message.index} is being sent by another delivery`, {
      retryAfterSeconds,
    });
  } else if (claim.state === 'done') {
    context.logger.info('write-back batch was already sent (duplicate delivery)');
    counts = claim.counts;
  } else {
    context.onHeartbeat(async () => {
      await records.renew(job.id, message.index, holder, deps.leaseMs);
    });
    try {
      counts = await sendBatch(deps, job, message, context);
    } catch (error) {
      // The claim goes back at once, so the redelivery sends the batch again without waiting out
      // the lease (a send that reached Mailchimp before failing sends the same values again).
      await records.release(job.id, message.index, holder).catch((releaseError: unknown) => {
        context.logger.warn({ err: releaseError }, 'write-back claim not released');
      });
      throw error;
    }
    if (!(await records.complete(job.id, message.index, holder, counts)))
      context.logger.warn('write-back claim was taken over while sending; counted by its holder');
  }
  await countChunk(
    deps,
    job,
    {
      index: message.index,
      rows: 0,
      rejected: 0,
      source: { writtenBack: counts.written, writeBackErrors: counts.errors, shifts: 0 },
    },
    context,
  );
}

async function sendBatch(
  deps: PipelineDeps,
  job: Job,
  message: WriteBackMessage,
  context: DeliveryContext,
): Promise<WriteBackCounts> {
  const plan = await readPlan(deps, job, message.page);
  const members = batchOf(plan, message.batch);
  if (members.length === 0) return { written: 0, errors: 0 };
  const audience = await openAudience(deps, job);
  const outcome = await audience.upsert(
    members.map(({ email, mergeFields }) => ({ email, mergeFields })),
    context.signal,
  );
  if (outcome.errors.length > 0) {
    await deps.objects.put(
      objectKeys.rejectsPart(job, message.index),
      rejectsOf(members, outcome.errors),
    );
  }
  context.logger.info(
    { members: members.length, written: outcome.written, errors: outcome.errors.length },
    'write-back batch sent',
  );
  return { written: outcome.written, errors: outcome.errors.length };
}

async function readPlan(deps: PipelineDeps, job: Job, page: number): Promise<WriteBackPlan> {
  const body = await deps.objects.read(objectKeys.writeBackPlan(job, page));
  const text = Buffer.concat((await body.toArray()) as Buffer[]).toString('utf8');
  return JSON.parse(text) as WriteBackPlan;
}

/** Rejects records (`row_number,reason`) of the members the audience refused, in row order. */
function rejectsOf(members: readonly PlannedUpdate[], errors: readonly MemberError[]): string {
  const rowOf = new Map(members.map((m) => [m.email.trim().toLowerCase(), m.rowNumber]));
  return errors
    .map((error) => ({ row: rowOf.get(error.email.trim().toLowerCase()), error }))
    .sort((a, b) => (a.row ?? Number.MAX_SAFE_INTEGER) - (b.row ?? Number.MAX_SAFE_INTEGER))
    .map(({ row, error }) => {
      const reason = `write-back refused by Mailchimp: ${reasonOf(error)}`;
      // An address Mailchimp answered for that the batch did not send has no row to name.
      return row === undefined ? formatCsvRow(['', reason]) : formatRejectsRecord(row, reason);
    })
    .join('');
}

/**
 * Mailchimp's words, with the field it blamed. Reasons never carry cell contents: Mailchimp's
 * message may quote the address (in any case), which becomes "the address".
 */
function reasonOf(error: MemberError): string {
  const field =
    error.field === undefined ? '' : ` (${error.field}: ${error.fieldMessage ?? 'invalid'})`;
  const text = `${error.message}${field}`;
  const email = error.email.trim();
  if (email === '') return text;
  return text.replace(new RegExp(escapeRegExp(email), 'gi'), 'the address');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
