import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type RequestHandler } from 'express';

/** One answer of the API as the contract check reads it. */
export interface RecordedResponse {
  readonly method: string;
  /** The request path, without the query string. */
  readonly path: string;
  readonly status: number;
  /** The Content-Type header, or '' when the answer had none. */
  readonly contentType: string;
  readonly body: string;
  /** The body was longer than what was kept (a stream); it is not validated then. */
  readonly truncated: boolean;
}

export const CONTRACT_LOG_FILE_PREFIX = 'responses-';
const MAX_BODY_CHARS = 256 * 1024;

/**
 * Records every answer of `app` (method, path, status, content type, body) as JSON lines under
 * `dir`, one file per process, for the contract check; `app` itself is not changed.
 */
export function recordResponses(app: Express, dir: string): Express {
  const outer = express();
  outer.disable('x-powered-by');
  outer.use(recorder(join(dir, `${CONTRACT_LOG_FILE_PREFIX}${process.pid}.jsonl`)));
  outer.use(app);
  return outer;
}

function recorder(file: string): RequestHandler {
  return (req, res, next) => {
    const chunks: string[] = [];
    let length = 0;
    let truncated = false;
    const keep = (chunk: unknown, encoding?: unknown): void => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const text = Buffer.isBuffer(chunk)
        ? chunk.toString('utf8')
        : typeof chunk === 'string'
          ? chunk
          : Buffer.from(chunk as Uint8Array).toString(
              typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
            );
      if (length + text.length > MAX_BODY_CHARS) truncated = true;
      else chunks.push(text);
      length += text.length;
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return end(...args);
    }) as typeof res.end;
    res.on('finish', () => {
      const record: RecordedResponse = {
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? '',
        status: res.statusCode,
        contentType: String(res.getHeader('content-type') ?? ''),
        body: chunks.join(''),
        truncated,
      };
      appendFileSync(file, `${JSON.stringify(record)}\n`);
    });
    next();
  };
}
