import { objectKeys } from '../keys.ts';

/** Job states (contract): forward only; a final state never changes. */
export const JOB_STATUSES = [
  'awaiting_upload',
  'queued',
  'splitting',
  'processing',
  'merging',
  'completed',
  'failed',
  'cancelled',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export interface JobOptions {
  /** Data rows per chunk message. */
  readonly chunkRows: number;
  /** Reference directory to match against; without one rows are only standardized. */
  readonly directoryId?: string;
  /**
   * Third-party people source: rows the directory did not match (every row, without a
   * directory) are looked up there, and its answers verified like directory entries.
   */
  readonly provider?: 'pdl';
  /** Header name(s) per contact field, overriding header recognition (`{"email": "Mail"}`). */
  readonly columnMapping?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * The largest share of rejected rows, in percent, the job accepts (like Step Functions'
   * ToleratedFailurePercentage). Over it the job fails with the counts and no result; unset
   * means any share is accepted.
   */
  readonly toleratedRejectPercent?: number;
  /**
   * ISO 3166-1 alpha-2 region of phone numbers written without a country code ("FR"); a row's
   * own country column overrides it. Unset: the directory's region (US by default).
   */
  readonly region?: string;
  /** `full` (default) or `compact`: the output file's layout (docs/output-file.md). */
  readonly output?: 'full' | 'compact';
}

/**
 * Where a job's rows come from when it is not an upload: a Mailchimp audience, read through a
 * stored connection (the key stays in the connection store; the job names it only).
 */
export interface MailchimpJobSource {
  readonly type: 'mailchimp';
  readonly connectionId: string;
  readonly listId: string;
  /** Enriched values that changed go back to the audience (batch upserts). */
  readonly writeBack: boolean;
}

export type JobSource = MailchimpJobSource;

export interface JobError {
  readonly code: string;
  readonly message: string;
}

export interface Job {
  readonly id: string;
  readonly tenantId: string;
  readonly status: JobStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly fileName: string;
  readonly sourceKey: string;
  readonly options: JobOptions;
  readonly sourceBytes?: number;
  /** Absent for an upload; set for a job that reads a remote audience instead. */
  readonly source?: JobSource;
  /**
   * Chunks that produce output rows (a Mailchimp job's pages); the chunks after them are
   * write-back batches, which add only rejects. Absent: every chunk is an output chunk.
   */
  readonly outputChunks?: number;
  /** Members counted when split pinned the audience (a Mailchimp job). */
  readonly sourceMembers?: number;
  /** Members a page found at another place than split pinned (added or removed meanwhile). */
  readonly sourceShifts?: number;
  /**
   * Pages of a Mailchimp job fetched and stored so far, each counted once (the count that
   * reaches `outputChunks` sends the pages' enrichment).
   */
  readonly pagesFetched?: number;
  /** When every page's enrichment had been sent (the fetch stage is over). */
  readonly pagesDispatchedAt?: string;
  /** The delivery sending the pages' enrichment, and until when it may (a lease, epoch ms). */
  readonly dispatchHolder?: string;
  readonly dispatchUntil?: number;
  /** Members written back to the audience, and members the audience refused (counted once). */
  readonly writtenBack?: number;
  readonly writeBackErrors?: number;
  /**
   * The upload's ETag when the job was queued: split and chunks read the upload only with
   * If-Match on it, so a later re-upload to the same key cannot change a running job's bytes.
   * Absent on jobs queued before uploads were pinned.
   */
  readonly sourceEtag?: string;
  /** Header of the input file, recorded by split for the chunks. */
  readonly columns?: readonly string[];
  /**
   * How split read the upload, recorded with the header before any chunk leaves (absent on jobs
   * split before these existed: UTF-8, comma, LF). `windows-1252` means rows that are not valid
   * UTF-8 were read as windows-1252; split can only know at the end, so it may change then.
   */
  readonly encoding?: 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';
  /** Field separator of the input; the output is always comma-separated. */
  readonly delimiter?: ',' | ';' | '\t' | '|';
  /** `cr`: old Mac files whose records end with a lone carriage return. */
  readonly lineEnding?: 'lf' | 'crlf' | 'cr';
  readonly rowsTotal?: number;
  readonly rowsProcessed: number;
  readonly rowsRejected: number;
  readonly chunksTotal?: number;
  readonly chunksDone: number;
  readonly resultKey?: string;
  readonly rejectsKey?: string;
  readonly error?: JobError;
  readonly leaseHolder?: string;
  /** Epoch milliseconds. */
  readonly leaseUntil?: number;
  /** Stalls the watchdog repaired (re-sent split or merge, redriven chunks), and the last time. */
  readonly repairs?: number;
  readonly repairedAt?: string;
  /** Provider usage of the counted chunks (see ProviderUsage); absent before the first chunk. */
  readonly providerRequests?: number;
  readonly providerRecordsSent?: number;
  readonly providerMatchesBilled?: number;
  readonly providerCacheHits?: number;
}

/** The object chunks read: the upload, or the UTF-8 copy split made of a UTF-16 upload. */
export function textKeyOf(job: Job): string {
  const utf16 = job.encoding === 'utf-16le' || job.encoding === 'utf-16be';
  return utf16 ? objectKeys.transcoded(job) : job.sourceKey;
}

/** The chunks whose parts make up the result file, in order. */
export function outputChunksOf(job: Pick<Job, 'outputChunks' | 'chunksTotal'>): number {
  return job.outputChunks ?? job.chunksTotal ?? 0;
}

/** True once every chunk reported done and split has counted them. */
export function allChunksDone(job: Pick<Job, 'chunksTotal' | 'chunksDone'>): boolean {
  return job.chunksTotal !== undefined && job.chunksDone >= job.chunksTotal;
}

/** True when the job rejected a larger share of its rows than its options tolerate. */
export function exceedsRejectTolerance(job: Job): boolean {
  const tolerated = job.options.toleratedRejectPercent;
  if (tolerated === undefined || job.rowsProcessed === 0) return false;
  return (job.rowsRejected / job.rowsProcessed) * 100 > tolerated;
}
