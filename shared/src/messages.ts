import { z } from 'zod';

/** Queue messages (versioned). A message that does not parse is poison: it is never "fixed up". */

const jobRef = {
  v: z.literal(1),
  jobId: z.uuid(),
  tenantId: z.string().min(1),
};

export const splitMessage = z.object({ type: z.literal('job.split'), ...jobRef }).strict();

export const chunkMessage = z
  .object({
    type: z.literal('chunk.process'),
    ...jobRef,
    index: z.number().int().nonnegative(),
    byteStart: z.number().int().nonnegative(),
    /** Exclusive. */
    byteEnd: z.number().int().positive(),
    /** 1-based number of the chunk's first data row in the input file. */
    rowStart: z.number().int().positive(),
    rowCount: z.number().int().positive(),
    /** Set on a chunk of one row larger than the limit: the row is rejected without being read. */
    oversized: z.object({ limitBytes: z.number().int().positive() }).strict().optional(),
  })
  .strict()
  .refine((m) => m.byteEnd > m.byteStart, { message: 'byteEnd must be greater than byteStart' });

export const mergeMessage = z.object({ type: z.literal('job.merge'), ...jobRef }).strict();

/**
 * The fetch of one page of a remote audience (a Mailchimp job): `count` members from `offset` of
 * the order split pinned, stored raw under the job's work area. Fetches are counted apart from
 * chunks; the fetch that completes the count sends the `page.process` messages.
 */
export const pageFetchMessage = z
  .object({
    type: z.literal('page.fetch'),
    ...jobRef,
    /** The page's number (0 first); its enrichment is chunk `index` too. */
    index: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    count: z.number().int().positive().max(1000),
  })
  .strict();

/**
 * A page range of a remote audience (a Mailchimp job), enriched from the members its fetch
 * stored. Counted like a chunk under `index`, so the chunk → merge path is shared.
 */
export const pageMessage = z
  .object({
    type: z.literal('page.process'),
    ...jobRef,
    index: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    count: z.number().int().positive().max(1000),
    /** 1-based number of the page's first member in the result (its row number). */
    rowStart: z.number().int().positive(),
  })
  .strict();

/**
 * One write-back batch (≤ 500 members) of a page: the members and changed fields are in the
 * page's write-back plan object; `index` is the batch's own chunk slot (see mailchimp docs).
 */
export const writeBackMessage = z
  .object({
    type: z.literal('writeback.batch'),
    ...jobRef,
    index: z.number().int().nonnegative(),
    page: z.number().int().nonnegative(),
    batch: z.number().int().nonnegative(),
  })
  .strict();

export const controlMessage = z.discriminatedUnion('type', [splitMessage, mergeMessage]);
/** Everything the chunk queue carries. */
export const chunkQueueMessage = z.discriminatedUnion('type', [
  chunkMessage,
  pageFetchMessage,
  pageMessage,
  writeBackMessage,
]);
export const workMessage = z.discriminatedUnion('type', [
  splitMessage,
  mergeMessage,
  chunkMessage,
  pageFetchMessage,
  pageMessage,
  writeBackMessage,
]);

export type SplitMessage = z.infer<typeof splitMessage>;
export type ChunkMessage = z.infer<typeof chunkMessage>;
export type MergeMessage = z.infer<typeof mergeMessage>;
export type PageFetchMessage = z.infer<typeof pageFetchMessage>;
export type PageMessage = z.infer<typeof pageMessage>;
export type WriteBackMessage = z.infer<typeof writeBackMessage>;
export type ChunkQueueMessage = z.infer<typeof chunkQueueMessage>;
export type ControlMessage = z.infer<typeof controlMessage>;
export type WorkMessage = z.infer<typeof workMessage>;

const webhookEventType = z.enum(['job.completed', 'job.failed', 'job.cancelled']);

/** A job ended: the worker sends one delivery per subscribed endpoint of the tenant. */
export const webhookEventMessage = z
  .object({
    type: z.literal('webhook.event'),
    ...jobRef,
    event: webhookEventType,
    /** When the job ended (ISO 8601): the `timestamp` of the payload. */
    occurredAt: z.iso.datetime(),
  })
  .strict();

/** One attempt to deliver one event to one endpoint; retries are new messages, delayed. */
export const webhookDeliveryMessage = z
  .object({
    type: z.literal('webhook.deliver'),
    ...jobRef,
    webhookId: z.uuid(),
    /** `webhook-id`: the same on every attempt, so receivers can deduplicate. */
    messageId: z.string().min(1).max(128),
    event: webhookEventType,
    /** 1 for the first attempt. */
    attempt: z.number().int().positive(),
    /** Epoch ms before which the attempt waits (delays longer than SQS's 15 min take hops). */
    notBefore: z.number().int().nonnegative().optional(),
    /** The exact body to send (JSON), identical on every attempt. */
    payload: z.string().min(2).max(200_000),
  })
  .strict();

export const webhookMessage = z.discriminatedUnion('type', [
  webhookEventMessage,
  webhookDeliveryMessage,
]);

/**
 * A directory version was accepted (`ready`): a worker builds its index artifact now, before the
 * first job needs it. Belongs to no job; pinned to the ETag the api checked.
 */
export const directoryIndexMessage = z
  .object({
    type: z.literal('directory.index'),
    v: z.literal(1),
    tenantId: z.string().min(1),
    directoryId: z.uuid(),
    etag: z.string().min(1).max(200),
  })
  .strict();

/** Everything the control queue carries: job stages, webhook work and directory indexing. */
export const controlQueueMessage = z.discriminatedUnion('type', [
  splitMessage,
  mergeMessage,
  webhookEventMessage,
  webhookDeliveryMessage,
  directoryIndexMessage,
]);

export type WebhookEventMessage = z.infer<typeof webhookEventMessage>;
export type WebhookDeliveryMessage = z.infer<typeof webhookDeliveryMessage>;
export type WebhookMessage = z.infer<typeof webhookMessage>;
export type ControlQueueMessage = z.infer<typeof controlQueueMessage>;
export type DirectoryIndexMessage = z.infer<typeof directoryIndexMessage>;
