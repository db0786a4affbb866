import { Router } from 'express';
import type { OpenApiDocument } from './build-document.ts';
import { renderDocsPage } from './docs-page.ts';

/**
 * `GET /openapi.json` and `GET /docs`, public like the probes: both are built once, from the
 * code, and say nothing a caller could not learn by calling. The page needs no script and no
 * other origin, so it works offline and under the API's strict CSP.
 */
export function docsRoutes(document: OpenApiDocument): Router {
  const router = Router();
  const json = JSON.stringify(document);
  const page = renderDocsPage(document);
  router.get('/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('application/json').send(json);
  });
  router.get('/docs', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('text/html').send(page);
  });
  return router;
}
