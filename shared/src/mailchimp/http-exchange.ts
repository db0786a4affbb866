import type { IncomingHttpHeaders } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { request, type Dispatcher } from 'undici';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** An answer as it came off the connection: its body still encoded as the server sent it. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * One HTTP request and its whole body, through undici's `request` rather than `fetch`: a
 * members page is a quarter of a megabyte, and `fetch` spends about twice the CPU on it
 * (WHATWG streams), which a worker paging a large audience feels on every call. gzip is asked
 * for, as `fetch` asks for it: Mailchimp compresses its answers about sixfold.
 */
export async function sendRequest(
  url: string,
  options: {
    readonly method: 'GET' | 'POST';
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: string | undefined;
    readonly signal: AbortSignal;
    readonly dispatcher?: Dispatcher | undefined;
  },
): Promise<RawAnswer> {
  const res = await request(url, {
    method: options.method,
    headers: { ...options.headers, 'accept-encoding': 'gzip' },
    signal: options.signal,
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

/** The body as text, decompressed off the event loop when the server compressed it. */
export async function answerText(answer: RawAnswer): Promise<string> {
  const encoding = headerOf(answer.headers, 'content-encoding')?.trim().toLowerCase();
  switch (encoding) {
    case undefined:
    case '':
    case 'identity':
      return answer.body.toString('utf8');
    case 'gzip':
    case 'x-gzip':
      return (await gunzipAsync(answer.body)).toString('utf8');
    case 'deflate':
      return (await inflateAsync(answer.body)).toString('utf8');
    default:
      throw new UnsupportedEncodingError(encoding);
  }
}

/** A header's value (the first, when it came more than once). */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The server compressed its answer in an encoding this client did not ask for. */
export class UnsupportedEncodingError extends Error {
  override readonly name = 'UnsupportedEncodingError';
  readonly encoding: string;
  constructor(encoding: string) {
    super(`the answer is compressed as ${encoding}, which was not asked for`);
    this.encoding = encoding;
  }
}
