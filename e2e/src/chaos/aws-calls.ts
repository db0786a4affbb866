import type { IncomingHttpHeaders } from 'node:http';

/** One SDK request as seen on the wire. */
export interface AwsCall {
  readonly service: 's3' | 'sqs' | 'dynamodb';
  /** `GetObject`, `ReceiveMessage`, `UpdateItem`, … */
  readonly operation: string;
  /** The S3 object key, for S3 calls on an object. */
  readonly key?: string;
  /** An S3 read of a byte range rather than the whole object. */
  readonly ranged: boolean;
}

/**
 * What an SDK request is. SQS (JSON protocol) and DynamoDB name the operation in
 * `X-Amz-Target`; S3 requests are path-style here and the SDK names most operations in `x-id`.
 */
export function describeCall(method: string, url: string, headers: IncomingHttpHeaders): AwsCall {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix = '', operation = ''] = target.split('.');
    return {
      service: prefix.startsWith('DynamoDB') ? 'dynamodb' : 'sqs',
      operation,
      ranged: false,
    };
  }
  const parsed = new URL(url, 'http://proxy');
  const [, , ...keyParts] = parsed.pathname.split('/');
  const key = decodeURIComponent(keyParts.join('/'));
  return {
    service: 's3',
    operation: parsed.searchParams.get('x-id') ?? s3Operation(method, parsed.searchParams),
    ...(key === '' ? {} : { key }),
    ranged: headers.range !== undefined,
  };
}

function s3Operation(method: string, query: URLSearchParams): string {
  if (query.has('uploads')) return 'CreateMultipartUpload';
  if (query.has('uploadId')) return method === 'POST' ? 'CompleteMultipartUpload' : 'UploadPart';
  return `${method} object`;
}

/** Stages of a job a worker can be killed in on purpose (`random` is any moment). */
export const KILL_STAGES = ['split', 'mid-chunk', 'part-written', 'merge', 'random'] as const;
export type KillStage = (typeof KILL_STAGES)[number];

/** When a call marks a stage: before the request leaves, or once its answer has arrived. */
export type CallPhase = 'request' | 'response';

/**
 * The stage a worker is in when it makes this call:
 * - split sends chunk messages in batches (a kill before one leaves stops the split midway);
 * - a chunk reads its byte range of the upload, then enriches it (a kill soon after, mid-chunk);
 * - a chunk writes its part, then counts itself done (a kill once the write succeeded and
 *   before the worker hears of it lands exactly between the two);
 * - merge reads every part whole and uploads the result in parts.
 */
export function stageOf(call: AwsCall, phase: CallPhase): KillStage | undefined {
  const key = call.key ?? '';
  if (phase === 'request') {
    if (call.service === 'sqs' && call.operation === 'SendMessageBatch') return 'split';
    if (call.operation === 'GetObject' && !call.ranged && key.includes('/parts/')) return 'merge';
    if (call.operation === 'UploadPart' && key.startsWith('results/')) return 'merge';
    return undefined;
  }
  if (call.operation === 'GetObject' && call.ranged && key.startsWith('uploads/'))
    return 'mid-chunk';
  if (call.operation === 'PutObject' && key.includes('/parts/')) return 'part-written';
  return undefined;
}
