import { isPhoneRegion, OUTPUT_MODES } from '@contacts/enrichment';
import { z } from 'zod';

/** A file name is shown back to users and used in download names, never as a storage key. */
export const fileName = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => !hasSlashOrControl(name), 'must not contain slashes or control characters')
  .refine((name) => name !== '.' && name !== '..', 'must be a file name');

const chunkRows = z.coerce.number().int().min(1).max(100_000);
/** Percent of rows that may be rejected before the job fails (0 = none, 100 = any). */
const toleratedRejectPercent = z.coerce
  .number()
  .min(0, 'must be between 0 and 100')
  .max(100, 'must be between 0 and 100');
const directoryId = z.uuid({ message: 'directory ids are UUIDs' });
/** Third-party people source asked after the directory (or alone). */
const provider = z.enum(['pdl'], { message: 'the only provider is "pdl"' });
/** Region of phone numbers written without a country code; a row's country column wins. */
const region = z
  .string()
  .refine(isPhoneRegion, 'must be an ISO 3166-1 alpha-2 country code such as US, GB or FR')
  .transform((code) => code.toUpperCase());
/** The output file's layout: `full` (default) or `compact` (docs/output-file.md). */
const output = z.enum(OUTPUT_MODES, { message: 'must be "full" or "compact"' });
const headerName = z.string().min(1).max(256);
/** Field → header name(s); the worker checks the field names and that the headers exist. */
const columnMapping = z
  .record(
    z.string().regex(/^[a-z_]{1,32}$/, 'field names are snake_case'),
    z.union([headerName, z.array(headerName).min(1).max(10)]),
  )
  .refine((mapping) => Object.keys(mapping).length <= 20, 'at most 20 fields');

/** Body of `POST /v1/jobs` as JSON (presigned upload flow). */
export const createJobBody = z
  .object({
    fileName,
    chunkRows: chunkRows.optional(),
    /** Reference directory to match against (from POST /v1/directories). */
    directoryId: directoryId.optional(),
    /** Rows the directory did not match (all rows, without one) are looked up there too. */
    provider: provider.optional(),
    columnMapping: columnMapping.optional(),
    toleratedRejectPercent: toleratedRejectPercent.optional(),
    region: region.optional(),
    output: output.optional(),
    /** POST (default) lets S3 enforce the size limit itself; PUT suits simple HTTP clients. */
    uploadMethod: z.enum(['POST', 'PUT']).default('POST'),
    /** With PUT, the exact size in bytes; S3 then refuses any other length. */
    fileSize: z.number().int().positive().optional(),
  })
  .strict();

/** A Mailchimp audience as a job's input (instead of an upload). */
const mailchimpSource = z
  .object({
    type: z.literal('mailchimp'),
    /** From POST /v1/connections. */
    connectionId: z.string().min(1).max(64),
    /** Mailchimp's list (audience) id. */
    listId: z
      .string()
      .regex(
        /^[A-Za-z0-9]{1,32}$/,
        'Mailchimp list ids are letters and digits (e.g. "5a3b1e0c9d")',
      ),
  })
  .strict();

/** Body of `POST /v1/jobs` for a job that reads a remote source: queued at once, no upload. */
export const createSourceJobBody = z
  .object({
    source: mailchimpSource,
    /** Send the enriched values that changed back to the audience. */
    writeBack: z.boolean().default(false),
    chunkRows: chunkRows.optional(),
    directoryId: directoryId.optional(),
    provider: provider.optional(),
    columnMapping: columnMapping.optional(),
    toleratedRejectPercent: toleratedRejectPercent.optional(),
  })
  .strict();

/** True when a JSON create body names a source (the remote-source flow, not an upload). */
export function namesSource(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'source' in json;
}

/** Query of `POST /v1/jobs` with the file as the body. */
export const directUploadQuery = z
  .object({
    fileName: fileName.default('contacts.csv'),
    chunkRows: chunkRows.optional(),
    directoryId: directoryId.optional(),
    provider: provider.optional(),
    /** The same mapping as in the JSON flow, as URL-encoded JSON. */
    columnMapping: z
      .string()
      .max(4096)
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'columnMapping must be JSON' });
          return z.NEVER;
        }
      })
      .pipe(columnMapping)
      .optional(),
    toleratedRejectPercent: toleratedRejectPercent.optional(),
    region: region.optional(),
    output: output.optional(),
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
export type CreateSourceJobBody = z.infer<typeof createSourceJobBody>;
export type DirectUploadQuery = z.infer<typeof directUploadQuery>;
export type CreateDirectoryBody = z.infer<typeof createDirectoryBody>;

function hasSlashOrControl(name: string): boolean {
  for (const char of name) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || char === '/' || char === '\\') return true;
  }
  return false;
}
