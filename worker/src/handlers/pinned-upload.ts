import type { Readable } from 'node:stream';
import { InputFileError, ObjectChangedError, type Job, type ReadOptions } from '@contacts/shared';

/**
 * How a read of `key` is pinned for `job`: the upload is read only at the ETag recorded when the
 * job started. The UTF-8 copy split makes of a UTF-16 upload is not pinned: only the worker
 * writes it (under work/, where no upload URL points), its bytes follow from the pinned upload,
 * and a redelivered split rewrites it with the same bytes but possibly another ETag (multipart,
 * SSE-KMS), which would fail chunks of a healthy job.
 */
export function pinnedRead(job: Job, key: string): ReadOptions {
  // An empty ETag (an S3-compatible store that sends none) pins nothing.
  const etag = job.sourceEtag;
  return key === job.sourceKey && etag !== undefined && etag !== '' ? { ifMatch: etag } : {};
}

/**
 * Opens a pinned read; when the object changed since the job started the job cannot go on with
 * the bytes it was started with, so it fails at once (`upload_changed`, never retried).
 */
export async function openPinned(open: () => Promise<Readable>): Promise<Readable> {
  try {
    return await open();
  } catch (error) {
    if (error instanceof ObjectChangedError) {
      throw new InputFileError(
        'upload_changed',
        'the file was uploaded again after the job started; start a new job to process the new file',
        { cause: error },
      );
    }
    throw error;
  }
}
