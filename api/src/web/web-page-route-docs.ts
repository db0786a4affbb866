import { z } from 'zod';
import { problems } from '../openapi/problem-responses.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';

/** The OpenAPI description of web-page.ts: the page and its built files, public like /docs. */
export const webPageRouteDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/',
    operationId: 'webPage',
    tag: 'web',
    summary: 'The web page: upload a CSV, follow the job, download the result (docs/web.md)',
    authenticated: false,
    responses: {
      200: { description: 'The page', content: { 'text/html': null } },
      304: { description: 'Unchanged since the copy the browser revalidates (ETag)' },
      ...problems(500, [
        503,
        'The page is not built (`web_page_not_built`): run npm run build:web',
      ]),
    },
  },
  {
    method: 'get',
    path: '/assets/{file}',
    operationId: 'webPageAsset',
    tag: 'web',
    summary: 'A built file of the page (hashed name, cached for good)',
    authenticated: false,
    params: z.object({ file: z.string().min(1) }),
    responses: {
      200: { description: 'The file', content: { 'text/javascript': null, 'text/css': null } },
      304: { description: 'Unchanged since the copy the browser revalidates (ETag)' },
      ...problems([404, 'No such file (`route_not_found`)'], 500),
    },
  },
];
