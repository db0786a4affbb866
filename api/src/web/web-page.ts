import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { HttpProblem } from '../http/problem.ts';

/**
 * Where `npm run build:web` writes the page: web/dist/page beside the api workspace. Found from
 * the api's package folder, so it is the same whether the api runs from src/ or from dist/.
 */
export function defaultPageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(dir, '..', 'web', 'dist', 'page');
}

/**
 * Serves the web page at `/` from the same origin as the API (so it needs no CORS of its own).
 * Built assets have hashed names and are cached for good; index.html is revalidated each time.
 */
export function webPageRoutes(pageDir: string): Router {
  const router = Router();
  router.use(
    express.static(pageDir, {
      index: 'index.html',
      setHeaders(res, path) {
        res.setHeader(
          'Cache-Control',
          path.includes(join('page', 'assets'))
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
        );
      },
    }),
  );
  router.get('/', (_req, _res, next) => {
    next(
      new HttpProblem(
        503,
        'web_page_not_built',
        'the web page is not built: run `npm run build:web`',
        {
          headers: { 'Retry-After': '30' },
        },
      ),
    );
  });
  return router;
}

/**
 * Origins the page sends bytes to or reads from besides its own: the storage endpoint of the
 * presigned uploads and downloads (the emulator's, or S3's virtual-hosted buckets).
 */
export function storageOrigins(endpoint: string | undefined): string[] {
  return endpoint === undefined ? ['https://*.amazonaws.com'] : [new URL(endpoint).origin];
}
