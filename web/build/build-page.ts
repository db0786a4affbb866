import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, defaultClientConditions } from 'vite';

/** Where the page's sources and its built files are. */
export const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PAGE_DIR = join(WEB_ROOT, 'dist', 'page');

/** The budget for what a browser downloads, gzipped. */
export const MAX_GZIPPED_BYTES = 150 * 1024;

export interface BuiltPage {
  readonly dir: string;
  readonly files: readonly {
    readonly path: string;
    readonly bytes: number;
    readonly gzipped: number;
  }[];
  readonly gzippedTotal: number;
}

/**
 * Builds the page (vite: index.html, one JS and one CSS file) into web/dist/page and measures
 * it; fails when the gzipped total is over the budget.
 */
export async function buildPage(options: { quiet?: boolean } = {}): Promise<BuiltPage> {
  await build({
    root: WEB_ROOT,
    configFile: false,
    logLevel: options.quiet === true ? 'silent' : 'warn',
    // The workspaces' TypeScript sources (enrichment's header recognition), as tsc resolves them.
    resolve: { conditions: ['source', ...defaultClientConditions] },
    build: { outDir: PAGE_DIR, emptyOutDir: true, target: 'es2022', sourcemap: false },
  });
  const files = await Promise.all(
    (await listFiles(PAGE_DIR)).map(async (path) => {
      const bytes = await readFile(path);
      return {
        path: relative(PAGE_DIR, path),
        bytes: bytes.length,
        gzipped: gzipSync(bytes).length,
      };
    }),
  );
  const gzippedTotal = files.reduce((sum, file) => sum + file.gzipped, 0);
  if (gzippedTotal > MAX_GZIPPED_BYTES)
    throw new Error(
      `the page is ${gzippedTotal} bytes gzipped, over the budget of ${MAX_GZIPPED_BYTES}`,
    );
  return { dir: PAGE_DIR, files, gzippedTotal };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
