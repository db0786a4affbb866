import { z } from 'zod';

/** A file name is shown back to users and used in download names, never as a storage key. */
export const fileName = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => !hasSlashOrControl(name), 'must not contain slashes or control characters')
  .refine((name) => name !== '.' && name !== '..', 'must be a file name');

const chunkRows = z.coerce.number().int().min(1).max(100_000);
const directoryId = z.uuid({ message: 'directory ids are UUIDs' });

/** Body of `POST /v1/jobs` as JSON (presigned upload flow). */
export const createJobBody = z
  .object({
    fileName,
    chunkRows: chunkRows.optional(),
    /** Reference directory to match against (from POST /v1/directories). */
    directoryId: directoryId.optional(),
    /** POST (default) lets S3 enforce the size limit itself; PUT suits simple HTTP clients. */
    uploadMethod: z.enum(['POST', 'PUT']).default('POST'),
    /** With PUT, the exact size in bytes; S3 then refuses any other length. */
    fileSize: z.number().int().positive().optional(),
  })
  .strict();

/** Query of `POST /v1/jobs` with the file as the body. */
export const directUploadQuery = z
  .object({
    fileName: fileName.default('contacts.csv'),
    chunkRows: chunkRows.optional(),
    directoryId: directoryId.optional(),
  })
  .strict();

/** Body of `POST /v1/directories` as JSON (presigned upload flow). */
export const createDirectoryBody = z
  .object({
    fileName,
    uploadMethod: z.enum(['POST', 'PUT']).default('POST'),
    fileSize: z.number().int().positive().optional(),
  })
  .strict();

export const directoryIdParam = z.object({ id: directoryId });

export const jobIdParam = z.object({ id: z.uuid({ message: 'job ids are UUIDs' }) });

export type CreateJobBody = z.infer<typeof createJobBody>;
export type DirectUploadQuery = z.infer<typeof directUploadQuery>;
export type CreateDirectoryBody = z.infer<typeof createDirectoryBody>;

function hasSlashOrControl(name: string): boolean {
  for (const char of name) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || char === '/' || char === '\\') return true;
  }
  return false;
}
