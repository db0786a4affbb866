import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsConfig } from './config.ts';

export interface AwsClients {
  readonly s3: S3Client;
  /** Signs URLs handed to users; differs from `s3` only when users reach S3 at another address. */
  readonly s3Public: S3Client;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  destroy(): void;
}

/** How long one SDK call may take; each attempt has these limits, and failures are retried. */
export interface AwsTimeouts {
  /** To open a TCP connection: milliseconds when the peer is up. */
  readonly connectMs: number;
  /** Silence on an open socket; a long poll is quiet for up to WaitTimeSeconds (at most 20 s). */
  readonly idleMs: number;
  /** From sending a request to its response headers (body uploads included). */
  readonly requestMs: number;
}

/**
 * Without limits, a dependency that accepts connections and never answers hangs every request
 * (and a worker's poll loop) for good. The idle limit stays above the longest SQS long poll.
 */
export const DEFAULT_AWS_TIMEOUTS: AwsTimeouts = {
  connectMs: 3_000,
  idleMs: 30_000,
  requestMs: 60_000,
};

/** Builds the SDK clients once per process; endpoints come from configuration only. */
export function createAwsClients(
  aws: AwsConfig,
  timeouts: AwsTimeouts = DEFAULT_AWS_TIMEOUTS,
): AwsClients {
  const base = {
    region: aws.region,
    // Retries of throttling, 5xx and network errors, per call. Nothing retries these again:
    // retry.ts covers only what the SDK does not (unprocessed batch entries, outages at start-up).
    maxAttempts: 4,
    requestHandler: {
      connectionTimeout: timeouts.connectMs,
      socketTimeout: timeouts.idleMs,
      requestTimeout: timeouts.requestMs,
      // Otherwise the SDK only warns when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
    ...(aws.credentials === undefined ? {} : { credentials: { ...aws.credentials } }),
  };
  const s3Options = {
    ...base,
    forcePathStyle: aws.s3ForcePathStyle,
    // Checksums only where S3 requires them: the default also checksums every streamed
    // GetObject and UploadPart, which costs CPU and is not supported by every S3-compatible store.
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
  };
  const s3 = new S3Client({ ...s3Options, ...endpoint(aws.endpoints.s3) });
  const s3Public =
    aws.s3PublicEndpoint === undefined
      ? s3
      : new S3Client({ ...s3Options, endpoint: aws.s3PublicEndpoint });
  const sqs = new SQSClient({ ...base, ...endpoint(aws.endpoints.sqs) });
  const dynamodb = new DynamoDBClient({ ...base, ...endpoint(aws.endpoints.dynamodb) });
  return {
    s3,
    s3Public,
    sqs,
    dynamodb,
    destroy() {
      for (const client of new Set([s3, s3Public, sqs, dynamodb])) client.destroy();
    },
  };
}

function endpoint(value: string | undefined): { endpoint?: string } {
  return value === undefined ? {} : { endpoint: value };
}
