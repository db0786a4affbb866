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

export const controlMessage = z.discriminatedUnion('type', [splitMessage, mergeMessage]);
export const workMessage = z.discriminatedUnion('type', [splitMessage, mergeMessage, chunkMessage]);

export type SplitMessage = z.infer<typeof splitMessage>;
export type ChunkMessage = z.infer<typeof chunkMessage>;
export type MergeMessage = z.infer<typeof mergeMessage>;
export type ControlMessage = z.infer<typeof controlMessage>;
export type WorkMessage = z.infer<typeof workMessage>;
