import { once } from 'node:events';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { describeCall, type AwsCall, type CallPhase } from './aws-calls.ts';

/** What to do with a call: pass it on, or cut the connection as a dead process would. */
export type CallVerdict = 'forward' | 'drop';

export type CallObserver = (call: AwsCall, phase: CallPhase) => CallVerdict | Promise<CallVerdict>;

export interface ObservingProxy {
  /** Point all three AWS endpoints of one worker here. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of the emulators for ONE worker process: it tells the observer
 * each call the worker makes, before the request goes on and once its answer is back, so a
 * chaos run can kill the worker at a precise point of its work. When the emulators are down,
 * the worker's connections are cut, as they would be without the proxy.
 */
export async function startObservingProxy(options: {
  s3SqsEndpoint: string;
  dynamodbEndpoint: string;
  observe: CallObserver;
}): Promise<ObservingProxy> {
  const agent = new Agent({ keepAlive: true });
  const s3Sqs = new URL(options.s3SqsEndpoint);
  const dynamodb = new URL(options.dynamodbEndpoint);
  const server = createServer((req, res) => {
    forward(req, res).catch(() => {
      res.destroy();
    });
  });

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DynamoDB requests are small JSON: read them whole, so observers can see what a write sets.
    const isDynamodb = String(req.headers['x-amz-target'] ?? '').startsWith('DynamoDB');
    const body = isDynamodb ? Buffer.concat(await req.toArray()) : undefined;
    const call = describeCall(req.method ?? 'GET', req.url ?? '/', req.headers, body?.toString());
    if ((await options.observe(call, 'request')) === 'drop') {
      res.destroy();
      return;
    }
    const target = call.service === 'dynamodb' ? dynamodb : s3Sqs;
    const upstream = request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    });
    const answered = once(upstream, 'response') as Promise<[IncomingMessage]>;
    // The pipeline below reports the same failure (emulators down); this one is awaited later.
    answered.catch(() => undefined);
    if (body === undefined) await pipeline(req, upstream);
    else upstream.end(body);
    const [response] = await answered;
    const answer = { ...call, responseStatus: response.statusCode ?? 0 };
    if ((await options.observe(answer, 'response')) === 'drop') {
      response.destroy();
      res.destroy();
      return;
    }
    res.writeHead(response.statusCode ?? 502, response.rawHeaders);
    await pipeline(response, res);
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
