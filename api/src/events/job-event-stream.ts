import type { Request, Response } from 'express';
import { DependencyError, JobNotFoundError, isFinal } from '@contacts/shared';
import type { JobEventHub } from './job-event-hub.ts';
import { isNewer, type JobSnapshot } from './job-snapshot.ts';

export interface JobEventStreamOptions {
  readonly hub: JobEventHub;
  readonly tenantId: string;
  readonly jobId: string;
  /** Last-Event-ID of a reconnect: states up to it are not sent again (the final one is). */
  readonly seen: readonly number[] | undefined;
  readonly heartbeatMs: number;
}

/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 2000;

/**
 * Serves one `text/event-stream` of a job: answers 404 (through the error handler) when the job
 * is not the tenant's, else sends the states it has not seen as `progress` events, then the
 * final event, and ends. The socket closing at any point releases the timer and the hub
 * subscription. A slow reader gets the latest state when it drains, not every state in between.
 */
export function serveJobEvents(
  req: Request,
  res: Response,
  options: JobEventStreamOptions,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let started = false;
    let done = false;
    let seen = options.seen;
    let pending: JobSnapshot | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearInterval(heartbeat);
      unsubscribe();
      res.off('drain', onDrain);
      resolve();
    };
    const send = (snapshot: JobSnapshot): void => {
      const final = isFinal(snapshot.status);
      // A reconnect after the end hears the final event again: it is how the stream says "over".
      if (!final && !isNewer(snapshot.version, seen)) return;
      if (res.writableNeedDrain && !final) {
        pending = snapshot;
        return;
      }
      res.write(`id: ${snapshot.version}\nevent: ${snapshot.event}\ndata: ${snapshot.data}\n\n`);
      seen = snapshot.version.split('.').map(Number);
      if (final) {
        res.end();
        finish();
      }
    };
    const onDrain = (): void => {
      const next = pending;
      pending = undefined;
      if (next !== undefined && !done) send(next);
    };
    const start = (): void => {
      started = true;
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        // Proxies such as nginx would otherwise hold events back in a buffer.
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      req.socket.setNoDelay(true);
      res.write(`retry: ${RETRY_MS}\n\n`);
      res.on('drain', onDrain);
      heartbeat = setInterval(() => {
        if (!res.writableNeedDrain) res.write(': ping\n\n');
      }, options.heartbeatMs);
    };
    const unsubscribe = options.hub.subscribe(options.jobId, {
      snapshot(snapshot) {
        if (done) return;
        if (!started) {
          if (snapshot?.tenantId !== options.tenantId) {
            reject(new JobNotFoundError(options.jobId));
            finish();
            return;
          }
          start();
        }
        if (snapshot !== undefined) send(snapshot);
      },
      failed(error) {
        if (done || started) return;
        reject(new DependencyError(`could not read job ${options.jobId}`, { cause: error }));
        finish();
      },
    });
    res.on('close', finish);
  });
}
