import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from '@contacts/shared';
import { eventRoutes } from './events/event-routes.ts';
import type { JobEventHub } from './events/job-event-hub.ts';
import type { StreamTokens } from './events/stream-token.ts';
import { connectionRoutes } from './connections/connection-routes.ts';
import type { ConnectionService } from './connections/connection-service.ts';
import { directoryRoutes } from './directories/directory-routes.ts';
import type { DirectoryService } from './directories/directory-service.ts';
import { ApiKeyAuthenticator } from './http/auth.ts';
import { notFoundHandler, problemHandler } from './http/problem.ts';
import { RateLimiter } from './http/rate-limit.ts';
import type { ReadinessReport } from './http/readiness.ts';
import { jobRoutes } from './jobs/job-routes.ts';
import type { JobService } from './jobs/job-service.ts';
import { webhookRoutes } from './webhooks/webhook-routes.ts';
import type { WebhookService } from './webhooks/webhook-service.ts';
import type { JobLister } from './lists/job-lister.ts';
import { listRoutes } from './lists/list-routes.ts';
import { apiDocument } from './openapi/api-document.ts';
import { docsRoutes } from './openapi/docs-routes.ts';
import { webPageRoutes } from './web/web-page.ts';

export interface AppDeps {
  readonly jobs: JobService;
  readonly directories: DirectoryService;
  readonly webhooks: WebhookService;
  readonly connections: ConnectionService;
  readonly jobList: JobLister;
  readonly apiKeys: readonly { readonly tenantId: string; readonly key: string }[];
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly readiness: () => Promise<ReadinessReport>;
  readonly events: {
    readonly hub: JobEventHub;
    readonly tokens: StreamTokens;
    readonly heartbeatMs: number;
  };
  readonly logger: Logger;
  /** The built web page served at `/` (web/dist/page). */
  readonly pageDir: string;
  /** Origins besides its own the page may talk to: where presigned uploads and downloads go. */
  readonly storageOrigins: readonly string[];
}

const REQUEST_ID = /^[\w.-]{1,64}$/;
/** The version of the HTTP contract the OpenAPI document describes (paths are under /v1). */
export const API_VERSION = '1.0.0';

/** Builds the HTTP app; listening is the caller's business (server.ts, tests). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // The page uploads to and counts results from storage with presigned URLs.
          'connect-src': ["'self'", ...deps.storageOrigins],
          // The local emulators speak plain HTTP; upgrading would break their presigned URLs.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req: IncomingMessage, res) => {
        const incoming = req.headers['x-request-id'];
        const id =
          typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Paths only: query strings may carry file names, and URLs never carry secrets here.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
      },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await deps.readiness();
    if (!report.ready) res.status(503).set('Retry-After', '5');
    res.json({ status: report.ready ? 'ready' : 'unavailable', checks: report.checks });
  });

  // Built once per app, from the route descriptions (api/src/openapi/api-document.ts).
  app.use(docsRoutes(apiDocument(API_VERSION)));

  const authenticator = new ApiKeyAuthenticator(deps.apiKeys);
  const rateLimiter = new RateLimiter(deps.rateLimit);
  const v1 = express.Router();
  // Before the key check: an EventSource may authenticate with a stream token instead.
  v1.use(eventRoutes({ ...deps.events, jobs: deps.jobs, authenticator, rateLimiter }));
  v1.use(authenticator.middleware());
  v1.use(rateLimiter.middleware());
  v1.use(jobRoutes(deps.jobs));
  v1.use(directoryRoutes(deps.directories));
  v1.use(webhookRoutes(deps.webhooks));
  v1.use(connectionRoutes(deps.connections));
  v1.use(listRoutes({ jobs: deps.jobList, directories: deps.directories }));
  app.use('/v1', v1);
  app.use(webPageRoutes(deps.pageDir));

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
