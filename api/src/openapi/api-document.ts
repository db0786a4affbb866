import { directoryRouteDocs } from '../directories/directory-route-docs.ts';
import { healthRouteDocs } from '../http/health-route-docs.ts';
import { jobRouteDocs } from '../jobs/job-route-docs.ts';
import { listRouteDocs } from '../lists/list-route-docs.ts';
import { buildDocument, type OpenApiDocument } from './build-document.ts';
import { connectionRouteDocs } from './connections-docs.ts';
import { docsRouteDocs } from './docs-route-docs.ts';
import { eventsRouteDocs } from './events-docs.ts';
import type { RouteDoc } from './route-doc.ts';
import { webhookDeliveryDocs, webhookRouteDocs } from './webhooks-docs.ts';
import { webPageRouteDocs } from '../web/web-page-route-docs.ts';

/**
 * Every route the API serves, described. A new route module adds its `…RouteDocs` array here;
 * the contract test fails on any answer of a route or status missing from the document.
 */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  ...jobRouteDocs,
  ...listRouteDocs,
  ...eventsRouteDocs,
  ...directoryRouteDocs,
  ...webhookRouteDocs,
  ...connectionRouteDocs,
  ...healthRouteDocs,
  ...docsRouteDocs,
  ...webPageRouteDocs,
];

/** The OpenAPI 3.1 document of this API (`GET /openapi.json`). */
export function apiDocument(version: string): OpenApiDocument {
  return buildDocument({
    info: {
      title: 'Contact enricher API',
      version,
      description:
        'Upload contact CSV files, follow their enrichment, download the result. Errors are ' +
        'RFC 9457 `application/problem+json` documents with a stable `type` ' +
        '(`/problems/<code>`). Every `/v1` request needs `Authorization: Bearer <api key>`.',
    },
    tags: [
      { name: 'jobs', description: 'Enrichment jobs: create, upload, start, follow, cancel, list' },
      { name: 'directories', description: 'Reference directories jobs match against' },
      { name: 'webhooks', description: 'Signed notifications when a job ends' },
      { name: 'connections', description: 'Remote contact sources (Mailchimp)' },
      { name: 'operations', description: 'Probes' },
      { name: 'documentation', description: 'This description, as data and as a page' },
      { name: 'web', description: 'The web page served at / (same origin as the API)' },
    ],
    routes: ROUTE_DOCS,
    webhooks: webhookDeliveryDocs,
  });
}
