import { checkDirectorySample, DIRECTORY_SAMPLE_BYTES } from '@contacts/enrichment';
import type { ObjectInfo, ObjectStore } from '@contacts/shared';

/** A directory's state: `ready` for jobs, or `failed` with why (it cannot be used). */
export type DirectoryStatus =
  | { readonly status: 'ready' }
  | {
      readonly status: 'failed';
      readonly error: { readonly code: 'directory_invalid'; readonly message: string };
    };

/**
 * Checks an uploaded directory by reading its first bytes: the header must name an id column
 * and a name, email or phone column, and the sample rows must fit it. Read again on each ask,
 * not stored: the object (by its ETag) is the record, and a re-upload is checked anew.
 */
export async function checkDirectory(
  objects: ObjectStore,
  key: string,
  info: ObjectInfo,
): Promise<DirectoryStatus> {
  let sample = Buffer.alloc(0);
  if (info.size > 0) {
    const end = Math.min(info.size, DIRECTORY_SAMPLE_BYTES);
    const chunks: Buffer[] = [];
    const body = await objects.readRange(key, 0, end, { ifMatch: info.etag });
    for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
    sample = Buffer.concat(chunks);
  }
  const checked = checkDirectorySample(sample, info.size <= DIRECTORY_SAMPLE_BYTES);
  if (checked.ok) return { status: 'ready' };
  return { status: 'failed', error: { code: 'directory_invalid', message: checked.message } };
}
