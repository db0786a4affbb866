import { problems } from './problem-responses.ts';
import type { RouteDoc } from './route-doc.ts';

/**
 * The OpenAPI description of docs-routes.ts (the document describes itself). The web page at `/`
 * is described beside its routes (api/src/web/web-page-route-docs.ts).
 */
export const docsRouteDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    tag: 'documentation',
    summary: 'This OpenAPI 3.1 document',
    authenticated: false,
    responses: {
      200: { description: 'The document', content: { 'application/json': null } },
      ...problems(500),
    },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'apiReference',
    tag: 'documentation',
    summary: 'A readable API reference (HTML, self-contained)',
    authenticated: false,
    responses: {
      200: { description: 'The page', content: { 'text/html': null } },
      ...problems(500),
    },
  },
];
