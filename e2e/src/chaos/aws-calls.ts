import type { IncomingHttpHeaders } from 'node:http';

/** One SDK request as seen on the wire. */
export interface AwsCall {
  readonly service: 's3' | 'sqs' | 'dynamodb';
  /** `GetObject`, `ReceiveMessage`, `UpdateItem`, … */
  readonly operation: string;
  /** The S3 object key, for S3 calls on an object; the item's `id`, for DynamoDB item calls. */
  readonly key?: string;
  /** An S3 read of a byte range rather than the whole object. */
  readonly ranged: boolean;
  /** What a DynamoDB UpdateItem SETs to plain string or number values (`status`, `chunksTotal`). */
  readonly sets?: Readonly<Record<string, string>>;
  /** The HTTP status of the answer (response phase only). */
  readonly responseStatus?: number;
}

/**
 * What an SDK request is. SQS (JSON protocol) and DynamoDB name the operation in
 * `X-Amz-Target`; S3 requests are path-style here and the SDK names most operations in `x-id`.
 */
export function describeCall(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body?: string,
): AwsCall {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix = '', operation = ''] = target.split('.');
    const service = prefix.startsWith('DynamoDB') ? 'dynamodb' : 'sqs';
    return {
      service,
      operation,
      ranged: false,
      ...(service === 'dynamodb' && body !== undefined ? describeItemWrite(operation, body) : {}),
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

/** The item id and, for an UpdateItem, the attributes it SETs to plain values. */
function describeItemWrite(operation: string, body: string): Pick<AwsCall, 'key' | 'sets'> {
  let request: {
    Key?: { id?: { S?: string } };
    UpdateExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, { S?: string; N?: string }>;
  };
  try {
    request = JSON.parse(body) as typeof request;
  } catch {
    return {};
  }
  const id = request.Key?.id?.S;
  const key = id === undefined ? {} : { key: id };
  if (operation !== 'UpdateItem' || request.UpdateExpression === undefined) return key;
  const setClause = /SET (.*?)(?: ADD | REMOVE | DELETE |$)/.exec(request.UpdateExpression)?.[1];
  const sets: Record<string, string> = {};
  for (const [, name = '', value = ''] of (setClause ?? '').matchAll(/(#\w+) = (:\w+)/g)) {
    const attribute = request.ExpressionAttributeNames?.[name];
    const scalar = request.ExpressionAttributeValues?.[value];
    const plain = scalar?.S ?? scalar?.N;
    if (attribute !== undefined && plain !== undefined) sets[attribute] = plain;
  }
  return { ...key, sets };
}

function s3Operation(method: string, query: URLSearchParams): string {
  if (query.has('uploads')) return 'CreateMultipartUpload';
  if (query.has('uploadId')) return method === 'POST' ? 'CompleteMultipartUpload' : 'UploadPart';
  return `${method} object`;
}

/** Stages of a job a worker can be killed in on purpose (`random` is any moment). */
export const KILL_STAGES = [
  'split',
  'mid-chunk',
  'part-written',
  'merge',
  'processing-merge',
  'random',
] as const;
export type KillStage = (typeof KILL_STAGES)[number];

/** When a call marks a stage: before the request leaves, or once its answer has arrived. */
export type CallPhase = 'request' | 'response';

/**
 * The stage a worker is in when it makes this call:
 * - split sends chunk messages in batches (a kill before one leaves stops the split midway);
 * - a chunk reads its byte range of the upload, then enriches it (a kill soon after, mid-chunk);
 * - a chunk writes its part, then counts itself done (a kill once the write succeeded and
 *   before the worker hears of it lands exactly between the two);
 * - merge reads every part whole and uploads the result in parts;
 * - split ends with the write that moves the job to processing, then (when every chunk is
 *   already counted) sends the merge: a kill once that write succeeded lands between the two.
 */
export function stageOf(call: AwsCall, phase: CallPhase): KillStage | undefined {
  const key = call.key ?? '';
  if (isProcessingTransition(call)) return 'processing-merge';
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

/** The UpdateItem with which split moves a job to processing (and records its chunk count). */
export function isProcessingTransition(call: AwsCall): boolean {
  return call.operation === 'UpdateItem' && call.sets?.status === 'processing';
}
