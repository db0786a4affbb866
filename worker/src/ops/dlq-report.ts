import { isFinal, type JobStatus } from '@contacts/shared';
import type {
  DeadLetter,
  DeadLetterQueueName,
  QueueDepth,
  RedriveResult,
} from './dead-letter-queues.ts';
import { textTable } from './text-table.ts';

/** Queue names as the operator knows them (`contacts-chunks-dlq`), by DLQ. */
export type QueueLabels = Readonly<Record<DeadLetterQueueName, string>>;

/** The listing as a table, with the queue depths above it and what listing did to them below. */
export function renderListing(options: {
  depths: readonly QueueDepth[];
  letters: readonly DeadLetter[];
  labels: QueueLabels;
  listVisibilitySeconds: number;
}): string {
  const { depths, letters, labels } = options;
  const lines = depths.map(
    (depth) =>
      `${labels[depth.queue]}: ~${depth.visible} messages` +
      (depth.inFlight > 0 ? ` (+${depth.inFlight} in flight: being read or handed back)` : ''),
  );
  if (letters.length === 0) return [...lines, '', 'Nothing to show.'].join('\n');
  const rows = letters.map((letter) => [
    letter.queue,
    letter.messageId,
    String(letter.receiveCount),
    letter.sentAt ?? '-',
    describeType(letter),
    letter.summary.jobId ?? '-',
    letter.summary.chunkIndex === undefined ? '-' : String(letter.summary.chunkIndex),
    letter.jobStatus ?? '-',
  ]);
  const headers = [
    'QUEUE',
    'MESSAGE ID',
    'RECEIVES',
    'SENT (UTC)',
    'TYPE',
    'JOB',
    'CHUNK',
    'JOB STATUS',
  ];
  const notes = [
    `${letters.length} message${letters.length === 1 ? '' : 's'} shown. SQS cannot peek: the listing ` +
      `received them with a ${options.listVisibilitySeconds} s visibility timeout and handed them ` +
      'back (visible again within a second); it added one to each receive count.',
  ];
  const settled = letters.filter((letter) => isSettled(letter.jobStatus)).length;
  if (settled > 0)
    notes.push(
      `${settled} of them belong to jobs that already ended (or are gone): redriving those changes nothing.`,
    );
  const invalid = letters.filter((letter) => !letter.summary.valid).length;
  if (invalid > 0)
    notes.push(`${invalid} of them no handler can read: redrive leaves those in the DLQ.`);
  return [...lines, '', textTable(headers, rows), '', ...notes].join('\n');
}

/** One line per DLQ, then every message that did not move cleanly. */
export function renderRedrive(results: readonly RedriveResult[], labels: QueueLabels): string {
  const lines: string[] = [];
  for (const result of results) {
    const left = leftBehind(result);
    lines.push(
      `${labels[result.queue]}: moved ${result.moved} back to their work queue` +
        (left.length > 0 ? `; left in the DLQ: ${left.join(', ')}` : ''),
    );
    for (const failure of result.failed)
      lines.push(`  not moved  ${failure.messageId}  ${failure.reason}`);
    for (const duplicate of result.duplicated)
      lines.push(`  moved, still in the DLQ too  ${duplicate.messageId}  ${duplicate.reason}`);
  }
  return lines.join('\n');
}

function describeType(letter: DeadLetter): string {
  const type = letter.summary.type ?? '?';
  return letter.summary.valid ? type : `${type} (unreadable)`;
}

function isSettled(status: JobStatus | 'not_found' | undefined): boolean {
  return status === 'not_found' || (status !== undefined && isFinal(status));
}

function leftBehind(result: RedriveResult): string[] {
  const { otherJob, invalid, newerThanPass } = result.skipped;
  return [
    otherJob > 0 ? `${otherJob} of other jobs` : '',
    invalid > 0 ? `${invalid} unreadable` : '',
    newerThanPass > 0 ? `${newerThanPass} that arrived during the redrive` : '',
    result.failed.length > 0 ? `${result.failed.length} refused by the work queue` : '',
  ].filter(Boolean);
}
