export { createApp, type AppDeps } from './app.ts';
export { createReadinessProbe, type ReadinessReport } from './http/readiness.ts';
export { JobService, type ConnectionLookup, type JobServiceDeps } from './jobs/job-service.ts';
export { UrlSigner } from './jobs/uploads.ts';
export { createAppDeps } from './app-deps.ts';
export { DirectoryService, type DirectoryView } from './directories/directory-service.ts';
export {
  createdWebhook,
  createWebhookBody,
  webhookDelivery,
  webhookEventType,
  webhookIdParam,
  webhookList,
  webhookPayload,
  webhookView,
} from './webhooks/webhook-schemas.ts';
export { eventsTokenResponse, jobEventName, jobEventsQuery } from './events/event-schemas.ts';
export { WebhookService } from './webhooks/webhook-service.ts';
export { apiDocument, ROUTE_DOCS } from './openapi/api-document.ts';
export { buildDocument, type OpenApiDocument } from './openapi/build-document.ts';
export { type ResponseDoc, type RouteDoc } from './openapi/route-doc.ts';
export { API_VERSION } from './app.ts';
