import { JOB_STATUSES, isFinal, type JobStatus, type JobSummary } from '@contacts/shared';

/** The SSE event names of a job stream (contract): progress events, then one final event. */
export const JOB_EVENT_NAMES = ['progress', 'completed', 'failed', 'cancelled'] as const;
export type JobEventName = (typeof JOB_EVENT_NAMES)[number];

/** One observed state of a job, ready to be written to any number of streams. */
export interface JobSnapshot {
  readonly jobId: string;
  readonly tenantId: string;
  readonly status: JobStatus;
  /** The SSE `id:` of this state: grows with every visible change (see versionOf). */
  readonly version: string;
  readonly event: JobEventName;
  /** The job view as JSON, serialized once for every stream. */
  readonly data: string;
}

/**
 * A job's state as a monotonic event id: `<stage>.<split done>.<chunks done>`. Every part only
 * grows (status moves forward, chunksTotal appears once, chunksDone counts up), whichever API
 * task reads it, so a reconnect's Last-Event-ID tells which states the client already saw. All
 * final states share the top stage: a job ends once.
 */
export function versionOf(job: Pick<JobSummary, 'status' | 'chunksTotal' | 'chunksDone'>): string {
  const stage = isFinal(job.status) ? FINAL_STAGE : JOB_STATUSES.indexOf(job.status);
  return `${stage}.${job.chunksTotal === undefined ? 0 : 1}.${job.chunksDone}`;
}

const FINAL_STAGE = JOB_STATUSES.length;

/** Parses an event id a client sent back; undefined when it is not one of ours. */
export function parseVersion(value: string | undefined): readonly number[] | undefined {
  if (value === undefined || !/^\d{1,4}\.[01]\.\d{1,9}$/.test(value)) return undefined;
  return value.split('.').map(Number);
}

/** True when `version` is a later state than `seen` (or nothing was seen). */
export function isNewer(version: string, seen: readonly number[] | undefined): boolean {
  if (seen === undefined) return true;
  const parts = version.split('.').map(Number);
  for (let i = 0; i < parts.length; i++) {
    const a = parts[i] ?? 0;
    const b = seen[i] ?? 0;
    if (a !== b) return a > b;
  }
  return false;
}

/** The snapshot of a job: its event name follows the status, the data is its public view. */
export function snapshotOf(job: JobSummary, view: Record<string, unknown>): JobSnapshot {
  return {
    jobId: job.id,
    tenantId: job.tenantId,
    status: job.status,
    version: versionOf(job),
    event: isFinal(job.status) ? (job.status as JobEventName) : 'progress',
    data: JSON.stringify(view),
  };
}
