import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from '@contacts/shared';
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

export interface AppDeps {
  readonly jobs: JobService;
  readonly directories: DirectoryService;
  readonly connections: ConnectionService;
  readonly apiKeys: readonly { readonly tenantId: string; readonly key: string }[];
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly readiness: () => Promise<ReadinessReport>;
  readonly logger: Logger;
}

const REQUEST_ID = /^[\w.-]{1,64}$/;

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

  const v1 = express.Router();
  v1.use(new ApiKeyAuthenticator(deps.apiKeys).middleware());
  v1.use(new RateLimiter(deps.rateLimit).middleware());
  v1.use(jobRoutes(deps.jobs));
  v1.use(directoryRoutes(deps.directories));
  v1.use(connectionRoutes(deps.connections));
  app.use('/v1', v1);

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
