import { z } from 'zod';
import { v1Problems } from './problem-responses.ts';
import type { RouteDoc, WebhookDoc } from './route-doc.ts';
import { jobViewSchema } from './schemas.ts';

/**
 * `/v1/webhooks` (issue 12 §3), described from the issue: when the routes land, replace these
 * schemas with the ones the webhook module exports for its bodies.
 */
const WEBHOOK_EVENTS = ['job.completed', 'job.failed', 'job.cancelled'] as const;

export const createWebhookBody = z
  .object({
    url: z.url().describe('Where deliveries are POSTed (https; private hosts are refused)'),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).optional().describe('Default: all events'),
  })
  .strict();

const webhook = z.object({
  id: z.string(),
  url: z.url(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
});

const createdWebhook = webhook
  .extend({
    secret: z
      .string()
      .regex(/^whsec_/)
      .describe('Shown once: verifies `webhook-signature` (Standard Webhooks)'),
  })
  .meta({ id: 'CreatedWebhook' });

const webhookId = z.object({ id: z.string().min(1) });

export const webhookRouteDocs: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/webhooks',
    operationId: 'createWebhook',
    tag: 'webhooks',
    summary: 'Subscribe an endpoint to job events',
    description:
      'Deliveries are signed as Standard Webhooks says: `webhook-id`, `webhook-timestamp` and ' +
      '`webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` with the ' +
      'secret. Failed deliveries are retried with backoff for a bounded time; a 410 answer ' +
      'disables the endpoint.',
    body: { 'application/json': createWebhookBody },
    responses: {
      201: { description: 'Subscribed', content: { 'application/json': createdWebhook } },
      ...v1Problems(),
    },
  },
  {
    method: 'get',
    path: '/v1/webhooks',
    operationId: 'listWebhooks',
    tag: 'webhooks',
    summary: 'The caller’s webhook endpoints (without secrets)',
    responses: {
      200: {
        description: 'The endpoints',
        content: {
          'application/json': z.object({ items: z.array(webhook.meta({ id: 'Webhook' })) }),
        },
      },
      ...v1Problems(),
    },
  },
  {
    method: 'delete',
    path: '/v1/webhooks/{id}',
    operationId: 'deleteWebhook',
    tag: 'webhooks',
    summary: 'Remove a webhook endpoint',
    params: webhookId,
    responses: {
      204: { description: 'Removed' },
      ...v1Problems(404),
    },
  },
];

/** The deliveries: one per event, each carrying the job view (Standard Webhooks signing). */
export const webhookDeliveryDocs: readonly WebhookDoc[] = WEBHOOK_EVENTS.map((name) => ({
  name,
  summary: `Sent when a job ends ${name.slice('job.'.length)}`,
  body: z.object({ type: z.literal(name), timestamp: z.iso.datetime(), data: jobViewSchema }),
  headers: {
    'webhook-id': 'The delivery id (the same on every retry: deduplicate on it)',
    'webhook-timestamp': 'Seconds since the epoch when it was signed',
    'webhook-signature':
      '`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">` keyed by the secret',
  },
}));
