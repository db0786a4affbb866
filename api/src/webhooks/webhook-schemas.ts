import { WEBHOOK_EVENT_TYPES } from '@contacts/shared';
import { z } from 'zod';

export const webhookEventType = z.enum(WEBHOOK_EVENT_TYPES);

/** Body of `POST /v1/webhooks`. */
export const createWebhookBody = z
  .object({
    /** Where deliveries are POSTed: http(s), no credentials in the URL. */
    url: z
      .url({ protocol: /^https?$/, message: 'an http or https URL' })
      .max(2048)
      .refine((value) => {
        const url = new URL(value);
        return url.username === '' && url.password === '';
      }, 'must not contain credentials'),
    /** Events to receive; all of them when absent. */
    events: z
      .array(webhookEventType)
      .min(1)
      .refine((events) => new Set(events).size === events.length, 'events must not repeat')
      .optional(),
  })
  .strict();
export type CreateWebhookBody = z.infer<typeof createWebhookBody>;

export const webhookIdParam = z.object({ id: z.uuid({ message: 'webhook ids are UUIDs' }) });

/** The outcome of the last delivery attempt to an endpoint. */
export const webhookDelivery = z.object({
  messageId: z.string(),
  event: webhookEventType,
  jobId: z.string(),
  attempt: z.number().int(),
  at: z.string(),
  outcome: z.enum(['delivered', 'failed', 'gave_up', 'refused', 'disabled']),
  status: z.number().int().optional(),
  reason: z.string().optional(),
});

/** An endpoint as lists show it: never its secret. */
export const webhookView = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(webhookEventType),
  createdAt: z.string(),
  /** Present once the endpoint answered 410: nothing more is sent to it. */
  disabled: z.object({ at: z.string(), reason: z.string() }).optional(),
  lastDelivery: webhookDelivery.optional(),
});
export type WebhookView = z.infer<typeof webhookView>;

/** Answer of `POST /v1/webhooks`: the only time the secret is shown. */
export const createdWebhook = webhookView.extend({
  /** `whsec_…`: verifies the `webhook-signature` header (Standard Webhooks). */
  secret: z.string().startsWith('whsec_'),
});
export type CreatedWebhook = z.infer<typeof createdWebhook>;

/** Answer of `GET /v1/webhooks`. */
export const webhookList = z.object({ items: z.array(webhookView) });
export type WebhookList = z.infer<typeof webhookList>;

/** What a delivery POSTs (its `data` is the job view, without download links). */
export const webhookPayload = z.object({
  type: webhookEventType,
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()),
});
