/**
 * S3 key layout. Every key starts with its area, then tenant and job, so tenant scoping is a
 * prefix check and lifecycle rules can target each area (work/ outlives the dead-letter queues' retention).
 */

export interface JobKeyRef {
  readonly tenantId: string;
  readonly id: string;
}

const pad = (index: number): string => index.toString().padStart(6, '0');

export const objectKeys = {
  upload: (job: JobKeyRef): string => `uploads/${job.tenantId}/${job.id}/source.csv`,
  part: (job: JobKeyRef, index: number): string =>
    `work/${job.tenantId}/${job.id}/parts/${pad(index)}.csv`,
  rejectsPart: (job: JobKeyRef, index: number): string =>
    `work/${job.tenantId}/${job.id}/rejects/${pad(index)}.csv`,
  workPrefix: (job: JobKeyRef): string => `work/${job.tenantId}/${job.id}/`,
  /** The UTF-8 copy of a UTF-16 upload, under the work prefix so merge deletes it. */
  transcoded: (job: JobKeyRef): string => `work/${job.tenantId}/${job.id}/source-utf8.csv`,
  /** A reference directory; written once per id, so its ETag names its version. */
  directory: (directory: JobKeyRef): string =>
    `directories/${directory.tenantId}/${directory.id}/directory.csv`,
  result: (job: JobKeyRef): string => `results/${job.tenantId}/${job.id}/enriched.csv`,
  rejects: (job: JobKeyRef): string => `results/${job.tenantId}/${job.id}/rejects.csv`,
};
