import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from '@contacts/shared';
import { directoryRoutes } from './directories/directory-routes.ts';
import type { DirectoryService } from './directories/directory-service.ts';
import { ApiKeyAuthenticator } from './http/auth.ts';
import { notFoundHandler, problemHandler } from './http/problem.ts';
import { RateLimiter } from './http/rate-limit.ts';
import type { ReadinessReport } from './http/readiness.ts';
import { jobRoutes } from './jobs/job-routes.ts';
import type { JobService } from './jobs/job-service.ts';
import type { JobLister } from './lists/job-lister.ts';
import { listRoutes } from './lists/list-routes.ts';
import { apiDocument } from './openapi/api-document.ts';
import { docsRoutes } from './openapi/docs-routes.ts';

export interface AppDeps {
  readonly jobs: JobService;
  readonly directories: DirectoryService;
  readonly jobList: JobLister;
  readonly apiKeys: readonly { readonly tenantId: string; readonly key: string }[];
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly readiness: () => Promise<ReadinessReport>;
  readonly logger: Logger;
}

const REQUEST_ID = /^[\w.-]{1,64}$/;
/** The version of the HTTP contract the OpenAPI document describes (paths are under /v1). */
export const API_VERSION = '1.0.0';

/** Builds the HTTP app; listening is the caller's business (server.ts, tests). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet());
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

  const v1 = express.Router();
  v1.use(new ApiKeyAuthenticator(deps.apiKeys).middleware());
  v1.use(new RateLimiter(deps.rateLimit).middleware());
  v1.use(jobRoutes(deps.jobs));
  v1.use(directoryRoutes(deps.directories));
  v1.use(listRoutes({ jobs: deps.jobList, directories: deps.directories }));
  app.use('/v1', v1);

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
