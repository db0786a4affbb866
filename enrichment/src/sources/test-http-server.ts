import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LimitPermit, RequestLimiter } from './request-limiter.ts';

// Test helpers (not exported from the package): a real HTTP server on 127.0.0.1, port 0.

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  readonly at: number;
}

/** What the server does with one request: answer, drop the connection, or never answer. */
export type Reply =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  | 'drop'
  | 'hang';

export interface TestServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a server answering each request with `reply(request, index)`. */
export async function startTestServer(
  reply: (request: RecordedRequest, index: number) => Reply,
): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
        at: Date.now(),
      };
      requests.push(request);
      const answer = reply(request, requests.length - 1);
      if (answer === 'hang') return;
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

/** A limiter that grants at once and counts what it granted and got back. */
export interface CountingLimiter extends RequestLimiter {
  readonly acquired: number;
  readonly released: number;
  readonly jobIds: readonly string[];
}

export function countingLimiter(): CountingLimiter {
  const jobIds: string[] = [];
  let acquired = 0;
  let released = 0;
  return {
    get acquired() {
      return acquired;
    },
    get released() {
      return released;
    },
    jobIds,
    acquire({ jobId }) {
      acquired++;
      jobIds.push(jobId);
      let done = false;
      const permit: LimitPermit = {
        release: () => {
          if (!done) released++;
          done = true;
          return Promise.resolve();
        },
      };
      return Promise.resolve(permit);
    },
  };
}

/** A logger keeping every line, to check what was (not) written. */
export function memoryLogger(): {
  lines: { level: string; details: object; message: string }[];
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
} {
  const lines: { level: string; details: object; message: string }[] = [];
  return {
    lines,
    info: (details, message) => lines.push({ level: 'info', details, message }),
    warn: (details, message) => lines.push({ level: 'warn', details, message }),
    error: (details, message) => lines.push({ level: 'error', details, message }),
  };
}
