import { z } from 'zod';
import { eventsTokenResponse, jobEventsQuery } from '../events/event-schemas.ts';
import { jobIdParam } from '../jobs/job-requests.ts';
import { v1Problems } from './problem-responses.ts';
import type { RouteDoc } from './route-doc.ts';

/**
 * `GET /v1/jobs/{id}/events` (server-sent events, issue 12 §2), described from the issue: the
 * route lives with its own module; when it changes, change this entry (or move it there).
 */
export const eventsRouteDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/jobs/{id}/events',
    operationId: 'jobEvents',
    tag: 'jobs',
    summary: 'Live progress of a job as server-sent events',
    description:
      'A `text/event-stream` of `progress` events (each `data:` is the job view), then exactly ' +
      'one final event named `completed`, `failed` or `cancelled`, after which the stream ends. ' +
      'Every event has an `id:`; reconnect with `Last-Event-ID` to resume. A comment line is ' +
      'sent at least every 20 s so idle proxies keep the connection open.',
    params: jobIdParam,
    query: jobEventsQuery,
    responses: {
      200: {
        description: 'The event stream',
        content: { 'text/event-stream': null },
      },
      ...v1Problems(404),
    },
  },
  {
    method: 'post',
    path: '/v1/jobs/{id}/events-token',
    operationId: 'jobEventsToken',
    tag: 'jobs',
    summary:
      'A short-lived token for one job’s event stream (for EventSource, which sends no headers)',
    params: jobIdParam,
    responses: {
      201: {
        description: 'The token and the stream URL carrying it',
        content: { 'application/json': eventsTokenResponse.meta({ id: 'EventsToken' }) },
      },
      ...v1Problems(404),
    },
  },
];

/** The `data:` of a `progress` or final event: the job view (kept loose until the route lands). */
export const jobEventData = z.looseObject({ id: z.uuid(), status: z.string() });
