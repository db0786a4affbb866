import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { PinnedTarget } from './webhook-target.ts';

/** What one POST to an endpoint gave: an HTTP status, or why there was none. */
export type SendResult = { readonly status: number } | { readonly error: string };

/**
 * POSTs a body to a pinned target: connects to the checked address whatever DNS says now
 * (TLS still verifies the host name), follows no redirect, and gives up after `timeoutMs` for
 * the whole exchange. Only the status is read; the response body is discarded.
 */
export function postToTarget(
  target: PinnedTarget,
  request: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<SendResult> {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all === true) {
      (callback as unknown as (e: null, all: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
      return;
    }
    callback(null, target.address, target.family);
  };
  const transport = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const signal = AbortSignal.timeout(request.timeoutMs);
    const req = transport.request(
      target.url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup,
        signal,
        // A fresh connection per delivery: no socket of another tenant's endpoint is reused.
        agent: false,
      },
      (res) => {
        resolve({ status: res.statusCode ?? 0 });
        res.destroy();
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      resolve({
        error: signal.aborted
          ? `no answer within ${request.timeoutMs} ms`
          : `connection failed: ${error.code ?? error.message}`,
      });
    });
    req.end(request.body);
  });
}
