import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of the DynamoDB emulator that counts requests by operation
 * (the `X-Amz-Target` header, e.g. `DynamoDB_20120810.GetItem`). The API process under test
 * points its DynamoDB endpoint here, so its reads are counted without touching its code, and the
 * counting costs this process's CPU, not the API's.
 */
export class RequestCounterProxy {
  readonly #counts = new Map<string, number>();
  readonly #server: Server;
  #target: URL | undefined;

  constructor() {
    this.#server = createServer((req, res) => {
      const target = this.#target;
      if (target === undefined) {
        res.writeHead(503).end();
        return;
      }
      const operation = String(req.headers['x-amz-target'] ?? 'unknown')
        .split('.')
        .pop()!;
      this.#counts.set(operation, (this.#counts.get(operation) ?? 0) + 1);
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
  }

  async start(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Where requests go (known once the emulators run). */
  forwardTo(url: string): void {
    this.#target = new URL(url);
  }

  /** Requests of `operation` so far. */
  count(operation: string): number {
    return this.#counts.get(operation) ?? 0;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }
}
