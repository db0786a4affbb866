import type { JobStatus } from '../jobs/job.ts';

/** The webhook event types (contract): one per way a job ends. */
export const WEBHOOK_EVENT_TYPES = ['job.completed', 'job.failed', 'job.cancelled'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The event a job's final status raises; undefined for a status that is not final. */
export function webhookEventOf(status: JobStatus): WebhookEventType | undefined {
  if (status === 'completed') return 'job.completed';
  if (status === 'failed') return 'job.failed';
  if (status === 'cancelled') return 'job.cancelled';
  return undefined;
}
