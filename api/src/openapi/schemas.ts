import { z } from 'zod';
import { JOB_STATUSES } from '@contacts/shared';

/**
 * Response bodies of the API as zod schemas, for the OpenAPI document only: the routes build
 * their answers in code, and the contract test checks every answer of the e2e suite against
 * these, so they cannot drift silently. `meta({ id })` names a component.
 */

export const problemSchema = z
  .looseObject({
    type: z.string().describe('A stable URI reference per kind of problem: `/problems/<code>`'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('Per-field reasons of a `validation_failed` problem'),
  })
  .describe('An RFC 9457 problem document; extensions may add members')
  .meta({ id: 'Problem' });

const timestamp = z.iso.datetime();

const uploadInstructions = z
  .discriminatedUnion('method', [
    z.object({
      method: z.literal('POST'),
      url: z.url(),
      fields: z
        .record(z.string(), z.string())
        .describe('Send each as a form field, then the file as the last field `file`'),
      expiresAt: timestamp,
    }),
    z.object({
      method: z.literal('PUT'),
      url: z.url(),
      headers: z.record(z.string(), z.string()).describe('Send these headers with the PUT'),
      expiresAt: timestamp,
    }),
  ])
  .meta({ id: 'UploadInstructions' });

const count = z.number().int().min(0);

export const jobViewSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(JOB_STATUSES),
    fileName: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
    options: z
      .looseObject({
        chunkRows: z.number().int(),
        directoryId: z.uuid().optional(),
        provider: z.enum(['pdl']).optional(),
        columnMapping: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
        toleratedRejectPercent: z.number().optional(),
        region: z.string().length(2).optional(),
        output: z.enum(['full', 'compact']).optional(),
      })
      .describe('The options the job was created with'),
    source: z
      .object({
        type: z.literal('mailchimp'),
        connectionId: z.string(),
        listId: z.string(),
        writeBack: z.boolean(),
        members: count.optional().describe('Audience size pinned at split'),
        pages: count.optional().describe('Pages the pinned audience is read in (once split ran)'),
        pagesFetched: count
          .optional()
          .describe(
            'Pages fetched from the audience so far; their enrichment starts once all are fetched',
          ),
        shiftedPages: count
          .optional()
          .describe('Pages that found the audience at another size than split pinned'),
      })
      .optional()
      .describe('Where the rows came from when not an upload (Mailchimp jobs)'),
    writeBack: z
      .object({ membersWritten: count, errors: count })
      .optional()
      .describe('What went back to the audience (Mailchimp jobs with `writeBack`)'),
    input: z
      .object({
        encoding: z.string(),
        delimiter: z.string().nullable(),
        lineEnding: z.string().nullable(),
      })
      .optional()
      .describe('How the file was read (once split has run)'),
    progress: z.object({
      rowsTotal: count.nullable(),
      rowsProcessed: count,
      rowsRejected: count,
      chunksTotal: count.nullable(),
      chunksDone: count,
    }),
    provider: z
      .object({
        name: z.string(),
        requests: count,
        recordsSent: count,
        matchesBilled: count,
        cacheHits: count,
      })
      .optional()
      .describe('What the provider lookups cost (jobs with `provider`)'),
    result: z
      .object({
        url: z.url().optional().describe('The enriched file (absent when the job failed)'),
        expiresAt: timestamp,
        rejectsUrl: z.url().optional(),
      })
      .optional()
      .describe('Short-lived download links, once the job completed (or failed with rejects)'),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: 'Job' });

export const createdJobSchema = jobViewSchema
  .extend({ upload: uploadInstructions })
  .meta({ id: 'CreatedJob' });

export const directoryViewSchema = z
  .object({
    id: z.uuid(),
    status: z
      .enum(['ready', 'failed'])
      .describe('`failed`: the file cannot be used as a directory (`error` says why)'),
    error: z.object({ code: z.literal('directory_invalid'), message: z.string() }).optional(),
    sizeBytes: count,
    updatedAt: timestamp,
  })
  .meta({ id: 'Directory' });

export const createdDirectorySchema = z
  .object({ id: z.uuid(), status: z.literal('awaiting_upload'), upload: uploadInstructions })
  .meta({ id: 'CreatedDirectory' });

/** A page of a listing; `nextCursor` is null on the last page. */
export function listPageSchema(item: z.ZodType, id: string): z.ZodType {
  return z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .describe('Pass as `cursor` (with the same filter) for the next page; null on the last'),
    })
    .meta({ id });
}

export const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(z.string(), z.enum(['ok', 'unreachable'])),
  })
  .meta({ id: 'Readiness' });
