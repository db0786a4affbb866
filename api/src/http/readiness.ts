import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, 'ok' | 'unreachable'>;
}

/** Checks that S3, SQS and DynamoDB answer; cached briefly so probes cannot flood them. */
export function createReadinessProbe(deps: {
  s3: S3Client;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  bucket: string;
  queueUrl: string;
  table: string;
  timeoutMs?: number;
  cacheMs?: number;
}): () => Promise<ReadinessReport> {
  const timeoutMs = deps.timeoutMs ?? 2000;
  const cacheMs = deps.cacheMs ?? 1000;
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;
  const check = async (
    run: (signal: AbortSignal) => Promise<unknown>,
  ): Promise<'ok' | 'unreachable'> => {
    try {
      await run(AbortSignal.timeout(timeoutMs));
      return 'ok';
    } catch {
      return 'unreachable';
    }
  };
  const probe = async (): Promise<ReadinessReport> => {
    const [s3, sqs, dynamodb] = await Promise.all([
      check((abortSignal) =>
        deps.s3.send(new HeadBucketCommand({ Bucket: deps.bucket }), { abortSignal }),
      ),
      check((abortSignal) =>
        deps.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: deps.queueUrl, AttributeNames: ['QueueArn'] }),
          { abortSignal },
        ),
      ),
      check((abortSignal) =>
        deps.dynamodb.send(new DescribeTableCommand({ TableName: deps.table }), { abortSignal }),
      ),
    ]);
    const checks = { s3, sqs, dynamodb };
    return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
  };
  return () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > cacheMs) cached = { at: now, report: probe() };
    return cached.report;
  };
}
