import { join } from 'node:path';
import { startDynaliteServer } from './dynalite-server.ts';
import { startFauxqsServer } from './fauxqs-server.ts';

/** The embedded AWS: S3 + SQS (fauxqs) and DynamoDB (dynalite). */
export interface Emulators {
  /** Environment that points the application at these emulators. */
  readonly env: Record<string, string>;
  readonly s3SqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  /** Defaults to loopback; only containers bind 0.0.0.0. */
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly s3SqsPort?: number;
  readonly dynamodbPort?: number;
  /** Persist state here; in memory when absent. */
  readonly dataDir?: string;
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const host = options.host ?? '127.0.0.1';
  const fauxqs = await startFauxqsServer({
    host,
    port: options.s3SqsPort ?? 0,
    ...(options.dataDir === undefined ? {} : { dataDir: join(options.dataDir, 'fauxqs') }),
  });
  const dynamo = await startDynaliteServer({
    host,
    port: options.dynamodbPort ?? 0,
    ...(options.dataDir === undefined ? {} : { dataDir: join(options.dataDir, 'dynamodb') }),
  }).catch(async (error: unknown) => {
    await fauxqs.close();
    throw error;
  });
  return {
    env: emulatorEnv(fauxqs.endpoint, dynamo.endpoint),
    s3SqsEndpoint: fauxqs.endpoint,
    dynamodbEndpoint: dynamo.endpoint,
    async close() {
      await Promise.allSettled([fauxqs.close(), dynamo.close()]);
    },
  };
}

/** Emulators accept any credentials, but the SDK insists on having some. */
export function emulatorEnv(
  s3SqsEndpoint: string,
  dynamodbEndpoint: string,
): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_S3: s3SqsEndpoint,
    AWS_ENDPOINT_URL_SQS: s3SqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
  };
}
