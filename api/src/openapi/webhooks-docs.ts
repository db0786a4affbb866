import { z } from 'zod';
import { v1Problems } from './problem-responses.ts';
import type { RouteDoc, WebhookDoc } from './route-doc.ts';
import { jobViewSchema } from './schemas.ts';
import {
  createdWebhook,
  createWebhookBody,
  webhookIdParam,
  webhookView,
} from '../webhooks/webhook-schemas.ts';
import { WEBHOOK_EVENT_TYPES } from '@contacts/shared';

/** `/v1/webhooks` (issue 12 §3), with the schemas the webhook routes parse and answer with. */
const WEBHOOK_EVENTS = WEBHOOK_EVENT_TYPES;
const createdWebhookDoc = createdWebhook.meta({ id: 'CreatedWebhook' });
const webhook = webhookView.meta({ id: 'Webhook' });

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
      201: { description: 'Subscribed', content: { 'application/json': createdWebhookDoc } },
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
          'application/json': z.object({ items: z.array(webhook) }),
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
    params: webhookIdParam,
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
