import { problems } from '../openapi/problem-responses.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { healthSchema, readinessSchema } from '../openapi/schemas.ts';

/** The OpenAPI description of the probes in app.ts. */
export const healthRouteDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    tag: 'operations',
    summary: 'The process is up (the load balancer’s probe)',
    authenticated: false,
    responses: {
      200: { description: 'Up', content: { 'application/json': healthSchema } },
      ...problems(500),
    },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    tag: 'operations',
    summary: 'Storage, queues and the jobs table answer (for operators)',
    authenticated: false,
    responses: {
      200: { description: 'Ready', content: { 'application/json': readinessSchema } },
      503: {
        description: 'A dependency is unreachable',
        content: { 'application/json': readinessSchema },
        headers: { 'Retry-After': 'Seconds to wait before asking again' },
      },
      ...problems(500),
    },
  },
];
