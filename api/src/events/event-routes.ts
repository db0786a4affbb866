import { Router, type RequestHandler } from 'express';
import type { ApiKeyAuthenticator } from '../http/auth.ts';
import { tenantOf } from '../http/auth.ts';
import { HttpProblem } from '../http/problem.ts';
import type { RateLimiter } from '../http/rate-limit.ts';
import { jobIdParam } from '../jobs/job-requests.ts';
import type { JobService } from '../jobs/job-service.ts';
import { eventsTokenResponse, jobEventsQuery, type EventsTokenResponse } from './event-schemas.ts';
import type { JobEventHub } from './job-event-hub.ts';
import { serveJobEvents } from './job-event-stream.ts';
import { parseVersion } from './job-snapshot.ts';
import type { StreamTokens } from './stream-token.ts';

export interface EventRouteDeps {
  readonly hub: JobEventHub;
  readonly tokens: StreamTokens;
  readonly heartbeatMs: number;
  readonly jobs: JobService;
  readonly authenticator: ApiKeyAuthenticator;
  readonly rateLimiter: RateLimiter;
}

/**
 * `GET /v1/jobs/{id}/events` (Bearer key, or `?token=` from `POST /v1/jobs/{id}/events-token`)
 * and the token route. Mounted before the v1 router's own key check, which would refuse a
 * browser's EventSource.
 */
export function eventRoutes(deps: EventRouteDeps): Router {
  const router = Router();
  const bearer = deps.authenticator.middleware();
  const limit = deps.rateLimiter.middleware();

  router.get('/jobs/:id/events', streamAuth(deps), limit, async (req, res) => {
    const { id } = jobIdParam.parse(req.params);
    const query = jobEventsQuery.parse(req.query);
    await serveJobEvents(req, res, {
      hub: deps.hub,
      tenantId: tenantOf(res).tenantId,
      jobId: id,
      seen: parseVersion(req.get('last-event-id') ?? query.lastEventId),
      heartbeatMs: deps.heartbeatMs,
    });
  });

  router.post('/jobs/:id/events-token', bearer, limit, async (req, res) => {
    const { id } = jobIdParam.parse(req.params);
    const { tenantId } = tenantOf(res);
    // Only for a job the tenant can see: a token never names someone else's job.
    await deps.jobs.get(tenantId, id);
    const { token, expiresAt } = deps.tokens.mint(tenantId, id);
    const body: EventsTokenResponse = eventsTokenResponse.parse({
      token,
      expiresAt,
      url: `/v1/jobs/${id}/events?token=${encodeURIComponent(token)}`,
    });
    res.status(201).set('Cache-Control', 'no-store').json(body);
  });

  return router;
}

/** The API key header when sent, else a stream token for exactly this job. */
function streamAuth(deps: EventRouteDeps): RequestHandler {
  const bearer = deps.authenticator.middleware();
  return (req, res, next) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (req.get('authorization') !== undefined || token === undefined) {
      bearer(req, res, next);
      return;
    }
    const grant = deps.tokens.verify(token);
    if (grant === undefined || grant.jobId !== req.params.id) {
      next(
        new HttpProblem(
          401,
          'token_invalid',
          'the events token is invalid or expired; mint a new one',
          {
            headers: { 'WWW-Authenticate': 'Bearer' },
          },
        ),
      );
      return;
    }
    res.locals.tenant = { tenantId: grant.tenantId };
    next();
  };
}
