import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a test endpoint received. */
export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** Answers a request: the status (and headers) to send. */
export type WebhookBehaviour = (
  request: ReceivedWebhook,
  /** Earlier requests to this path with the same webhook-id (attempts of this message). */
  seenBefore: number,
) => { status: number; headers?: Record<string, string> };

/**
 * A local HTTP endpoint for webhook tests: records every request and answers by path with the
 * behaviour registered for it (200 otherwise).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  readonly #behaviours = new Map<string, WebhookBehaviour>();
  readonly #server: Server;

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0]!;
        const request = {
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        const id = req.headers['webhook-id'];
        const seenBefore = this.received.filter(
          (r) => r.path === path && r.headers['webhook-id'] === id,
        ).length;
        this.received.push(request);
        const answer = this.#behaviours.get(path)?.(request, seenBefore) ?? { status: 200 };
        res.writeHead(answer.status, answer.headers).end();
      });
    });
  }

  async start(): Promise<number> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return (this.#server.address() as AddressInfo).port;
  }

  on(path: string, behaviour: WebhookBehaviour): void {
    this.#behaviours.set(path, behaviour);
  }

  /** Requests to `path` whose payload is about job `jobId`. */
  requestsFor(path: string, jobId: string): ReceivedWebhook[] {
    return this.received.filter(
      (r) => r.path === path && (JSON.parse(r.body) as { data: { id: string } }).data.id === jobId,
    );
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }
}
