import { once } from 'node:events';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { problemHandler } from '../http/problem.ts';
import { storageOrigins, webPageRoutes } from './web-page.ts';

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function serve(pageDir: string): Promise<string> {
  const app = express();
  app.use(webPageRoutes(pageDir));
  app.use(problemHandler({ error() {} } as never));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('webPageRoutes', () => {
  it('serves index.html at / and caches hashed assets for good', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'page-'));
    dirs.push(dir);
    const page = join(dir, 'page');
    mkdirSync(join(page, 'assets'), { recursive: true });
    writeFileSync(join(page, 'index.html'), '<title>x</title>');
    writeFileSync(join(page, 'assets', 'index-abc.js'), 'void 0');
    const url = await serve(page);
    const index = await fetch(`${url}/`);
    expect(await index.text()).toBe('<title>x</title>');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${url}/assets/index-abc.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('says how to build the page when it is not built', async () => {
    const url = await serve(join(tmpdir(), 'no-such-page-dir'));
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toContain('npm run build:web');
  });
});

describe('storageOrigins', () => {
  it('is the configured endpoint’s origin, or S3’s buckets', () => {
    expect(storageOrigins('http://127.0.0.1:4566/')).toEqual(['http://127.0.0.1:4566']);
    expect(storageOrigins(undefined)).toEqual(['https://*.amazonaws.com']);
  });
});
