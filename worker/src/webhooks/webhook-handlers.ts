import {
  jobView,
  signWebhook,
  webhookSecretContext,
  type DeliveryRecord,
  type JobStore,
  type Logger,
  type SecretBox,
  type StoredWebhook,
  type WebhookDeliveryMessage,
  type WebhookEventMessage,
  type WebhookPublisher,
  type WebhookStore,
} from '@contacts/shared';
import { postToTarget, type SendResult } from './webhook-sender.ts';
import { resolveTarget, TargetRefusedError, type Resolver } from './webhook-target.ts';

export interface WebhookDeps {
  readonly store: WebhookStore;
  readonly jobs: JobStore;
  readonly publisher: WebhookPublisher;
  /** Absent when WEBHOOK_SECRET_KEY is not set: nothing can be signed, so nothing is sent. */
  readonly secrets?: SecretBox;
  readonly allowedHosts: readonly string[];
  readonly timeoutMs: number;
  readonly retryScheduleSeconds: readonly number[];
  readonly now?: () => number;
  /** DNS resolution of webhook hosts (tests). */
  readonly resolve?: Resolver;
}

/**
 * A job ended: one delivery message per enabled endpoint of the tenant subscribed to the event.
 * The payload is built once, here, so every attempt sends the same body. Its data is the job
 * view without download links: those expire long before the last retry; GET /v1/jobs/{id}
 * signs fresh ones.
 */
export async function handleWebhookEvent(
  deps: WebhookDeps,
  message: WebhookEventMessage,
  logger: Logger,
): Promise<void> {
  const hooks = (await deps.store.list(message.tenantId)).filter(
    (hook) => hook.disabledAt === undefined && hook.events.includes(message.event),
  );
  if (hooks.length === 0) return;
  const job = await deps.jobs.getSummary(message.jobId);
  if (job === undefined) {
    logger.warn('job of a webhook event is gone');
    return;
  }
  const payload = JSON.stringify({
    type: message.event,
    timestamp: message.occurredAt,
    data: jobView(job),
  });
  // The same id for a redelivered event message: receivers deduplicate on webhook-id.
  const messageId = `msg_${message.jobId}_${message.event.slice('job.'.length)}`;
  for (const hook of hooks) {
    await deps.publisher.send({
      type: 'webhook.deliver',
      v: 1,
      jobId: message.jobId,
      tenantId: message.tenantId,
      webhookId: hook.id,
      messageId,
      event: message.event,
      attempt: 1,
      payload,
    });
  }
  logger.info({ endpoints: hooks.length, event: message.event }, 'webhook event fanned out');
}

/**
 * One delivery attempt: sign (Standard Webhooks), check the target (SSRF guard), POST, record
 * the outcome on the endpoint; on failure send the next attempt with the schedule's delay. A 410
 * disables the endpoint; a refused target is not retried (only configuration changes it).
 */
export async function handleWebhookDelivery(
  deps: WebhookDeps,
  message: WebhookDeliveryMessage,
  logger: Logger,
): Promise<void> {
  const now = (deps.now ?? Date.now)();
  if (message.notBefore !== undefined && message.notBefore > now) {
    // Waits over SQS's 15-minute limit take several hops.
    await deps.publisher.send(message, (message.notBefore - now) / 1000);
    return;
  }
  const hook = await deps.store.get(message.tenantId, message.webhookId);
  if (hook === undefined || hook.disabledAt !== undefined) {
    logger.info({ webhookId: message.webhookId }, 'webhook gone or disabled: delivery dropped');
    return;
  }
  const record = (
    outcome: DeliveryRecord['outcome'],
    detail: { status?: number; reason?: string } = {},
  ): DeliveryRecord => ({
    messageId: message.messageId,
    event: message.event,
    jobId: message.jobId,
    attempt: message.attempt,
    at: new Date(now).toISOString(),
    outcome,
    ...detail,
  });
  const save = (entry: DeliveryRecord, disable?: { reason: string }): Promise<void> =>
    deps.store.recordDelivery(message.tenantId, hook.id, entry, disable);
  const log = logger.child({ webhookId: hook.id, attempt: message.attempt });

  if (deps.secrets === undefined) {
    log.error('WEBHOOK_SECRET_KEY is not set: webhook not delivered');
    await save(record('gave_up', { reason: 'the service has no WEBHOOK_SECRET_KEY' }));
    return;
  }
  let result: SendResult;
  try {
    const target = await resolveTarget(hook.url, {
      allowedHosts: deps.allowedHosts,
      ...(deps.resolve === undefined ? {} : { resolve: deps.resolve }),
    });
    result = await postToTarget(target, {
      headers: signedHeaders(deps.secrets, hook, message, now),
      body: message.payload,
      timeoutMs: deps.timeoutMs,
    });
  } catch (error) {
    if (!(error instanceof TargetRefusedError)) throw error;
    log.warn({ reason: error.message }, 'webhook target refused');
    await save(record('refused', { reason: error.message }));
    return;
  }
  if ('status' in result && result.status >= 200 && result.status < 300) {
    await save(record('delivered', { status: result.status }));
    return;
  }
  if ('status' in result && result.status === 410) {
    log.warn('webhook endpoint answered 410: disabled');
    const reason = 'the endpoint answered 410 Gone';
    await save(record('disabled', { status: 410, reason }), { reason });
    return;
  }
  const detail =
    'status' in result
      ? {
          status: result.status,
          reason:
            result.status >= 300 && result.status < 400
              ? `HTTP ${result.status}: redirects are not followed`
              : `HTTP ${result.status}`,
        }
      : { reason: result.error };
  const delay = deps.retryScheduleSeconds[message.attempt - 1];
  if (delay === undefined) {
    log.warn(detail, 'webhook delivery given up');
    await save(record('gave_up', detail));
    return;
  }
  log.info({ ...detail, retryInSeconds: delay }, 'webhook delivery failed; retrying later');
  await save(record('failed', detail));
  await deps.publisher.send(
    { ...message, attempt: message.attempt + 1, notBefore: now + delay * 1000 },
    delay,
  );
}

function signedHeaders(
  secrets: SecretBox,
  hook: StoredWebhook,
  message: WebhookDeliveryMessage,
  now: number,
): Record<string, string> {
  const secret = secrets.open(hook.sealedSecret, webhookSecretContext(message.tenantId, hook.id));
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'contact-enricher-webhooks/1',
    'webhook-id': message.messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, message.messageId, timestamp, message.payload),
  };
}
