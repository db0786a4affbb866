/**
 * S3 key layout. Every key starts with its area, then tenant and job, so tenant scoping is a
 * prefix check and lifecycle rules can target each area (work/ outlives the dead-letter queues' retention).
 */

export interface JobKeyRef {
  readonly tenantId: string;
  readonly id: string;
}

/**
 * The top-level key areas. Every key below starts with one; the task roles' S3 grants and the
 * bucket's lifecycle rules are per area (see KEY_AREA_ACCESS in task-access.ts).
 */
export const KEY_AREAS = {
  uploads: 'uploads/',
  work: 'work/',
  directories: 'directories/',
  /** Built directory indexes (one artifact per directory version); derived, so they may expire. */
  directoryIndexes: 'directory-indexes/',
  results: 'results/',
} as const;

export type KeyArea = keyof typeof KEY_AREAS;

const pad = (index: number): string => index.toString().padStart(6, '0');
const { uploads, work, directories, directoryIndexes, results } = KEY_AREAS;

/**
 * One build of a directory's index: the directory version (its CSV's ETag), the nickname table
 * its blocks were filed with (a fingerprint of its pairs) and the artifact's format version. Any
 * of them changing names another artifact, so a stale one is never read.
 */
export interface DirectoryIndexRef extends JobKeyRef {
  readonly etag: string;
  readonly nicknameFingerprint: string;
  readonly format: number;
}

/** An ETag as a key segment: S3 quotes it; a multipart ETag ends in `-<parts>`. */
const etagSegment = (etag: string): string => etag.replace(/[^A-Za-z0-9-]/g, '');

export const objectKeys = {
  upload: (job: JobKeyRef): string => `${uploads}${job.tenantId}/${job.id}/source.csv`,
  part: (job: JobKeyRef, index: number): string =>
    `${work}${job.tenantId}/${job.id}/parts/${pad(index)}.csv`,
  rejectsPart: (job: JobKeyRef, index: number): string =>
    `${work}${job.tenantId}/${job.id}/rejects/${pad(index)}.csv`,
  /** A Mailchimp page's write-back plan: its members and the fields that changed (JSON). */
  writeBackPlan: (job: JobKeyRef, page: number): string =>
    `${work}${job.tenantId}/${job.id}/writeback/${pad(page)}.json`,
  /** A Mailchimp page as its fetch read it (JSON), for the page's enrichment. */
  fetchedPage: (job: JobKeyRef, page: number): string =>
    `${work}${job.tenantId}/${job.id}/pages/${pad(page)}.json`,
  workPrefix: (job: JobKeyRef): string => `${work}${job.tenantId}/${job.id}/`,
  /** The UTF-8 copy of a UTF-16 upload, under the work prefix so merge deletes it. */
  transcoded: (job: JobKeyRef): string => `${work}${job.tenantId}/${job.id}/source-utf8.csv`,
  /** A reference directory; written once per id, so its ETag names its version. */
  directory: (directory: JobKeyRef): string =>
    `${directories}${directory.tenantId}/${directory.id}/directory.csv`,
  /** The index artifact of one directory version, nickname table and format. */
  directoryIndex: (index: DirectoryIndexRef): string =>
    `${directoryIndexes}${index.tenantId}/${index.id}/${etagSegment(index.etag)}-${index.nicknameFingerprint}-v${index.format}.idx`,
  result: (job: JobKeyRef): string => `${results}${job.tenantId}/${job.id}/enriched.csv`,
  rejects: (job: JobKeyRef): string => `${results}${job.tenantId}/${job.id}/rejects.csv`,
};

/** The area a key belongs to, or undefined for a key outside the layout. */
export function keyAreaOf(key: string): KeyArea | undefined {
  return (Object.keys(KEY_AREAS) as KeyArea[]).find((area) => key.startsWith(KEY_AREAS[area]));
}
