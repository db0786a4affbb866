import { workMessage } from '@contacts/shared';
import { z } from 'zod';

/** What an operator needs to know about a dead-lettered body, read leniently. */
export interface MessageSummary {
  readonly type?: string;
  readonly jobId?: string;
  readonly tenantId?: string;
  readonly chunkIndex?: number;
  /** False when no handler can read the body: redriving it would only dead-letter it again. */
  readonly valid: boolean;
}

// Each field on its own: a body in the DLQ is often there because it is malformed, and the
// fields that are readable still tell the operator which job it belongs to.
const lenientFields = z.object({
  type: z.string().optional().catch(undefined),
  jobId: z.string().optional().catch(undefined),
  tenantId: z.string().optional().catch(undefined),
  index: z.number().int().nonnegative().optional().catch(undefined),
});

/** Summarizes a queue message body without trusting it. */
export function summarizeBody(body: string): MessageSummary {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { valid: false };
  }
  const fields = lenientFields.safeParse(json);
  if (!fields.success) return { valid: false };
  const { type, jobId, tenantId, index } = fields.data;
  return {
    ...(type === undefined ? {} : { type }),
    ...(jobId === undefined ? {} : { jobId }),
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(index === undefined ? {} : { chunkIndex: index }),
    valid: workMessage.safeParse(json).success,
  };
}
