import { join } from 'node:path';
import { listenOrExplain } from '@contacts/shared';
import { startDynaliteServer, type DynaliteServer } from './dynalite-server.ts';
import { startFauxqsServer, type FauxqsServer } from './fauxqs-server.ts';

/** The embedded AWS: S3 + SQS (fauxqs) and DynamoDB (dynalite). */
export interface Emulators {
  /** Environment that points the application at these emulators. */
  readonly env: Record<string, string>;
  readonly s3SqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  /**
   * Stops serving, as an outage would: listeners close and open connections are cut, while the
   * ports and the persisted data are kept for `restart`. Safe to call when already stopped.
   */
  stop(): Promise<void>;
  /** Serves again on the same ports with the same data (persisted emulators only). */
  restart(): Promise<void>;
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

interface Servers {
  readonly fauxqs: FauxqsServer;
  readonly dynamo: DynaliteServer;
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  let servers: Servers | undefined = await startServers(options);
  const first = servers;
  const stop = async (): Promise<void> => {
    const running = servers;
    servers = undefined;
    if (running) await Promise.allSettled([running.fauxqs.close(), running.dynamo.close()]);
  };
  return {
    env: emulatorEnv(first.fauxqs.endpoint, first.dynamo.endpoint),
    s3SqsEndpoint: first.fauxqs.endpoint,
    dynamodbEndpoint: first.dynamo.endpoint,
    stop,
    async restart() {
      // In memory, a restart would come back empty: not an outage but a different world.
      if (options.dataDir === undefined)
        throw new Error('only emulators persisted under a dataDir can be restarted');
      await stop();
      servers = await startServers({
        ...options,
        s3SqsPort: first.fauxqs.port,
        dynamodbPort: first.dynamo.port,
      });
    },
    close: stop,
  };
}

async function startServers(options: EmulatorOptions): Promise<Servers> {
  const host = options.host ?? '127.0.0.1';
  const s3SqsPort = options.s3SqsPort ?? 0;
  const dynamodbPort = options.dynamodbPort ?? 0;
  const fauxqs = await listenOrExplain(
    () =>
      startFauxqsServer({
        host,
        port: s3SqsPort,
        ...(options.dataDir === undefined ? {} : { dataDir: join(options.dataDir, 'fauxqs') }),
      }),
    { what: 'the S3 + SQS emulator', host, port: s3SqsPort, variable: 'EMULATOR_S3_SQS_PORT' },
  );
  const dynamo = await listenOrExplain(
    () =>
      startDynaliteServer({
        host,
        port: dynamodbPort,
        ...(options.dataDir === undefined ? {} : { dataDir: join(options.dataDir, 'dynamodb') }),
      }),
    { what: 'the DynamoDB emulator', host, port: dynamodbPort, variable: 'EMULATOR_DYNAMODB_PORT' },
  ).catch(async (error: unknown) => {
    await fauxqs.close();
    throw error;
  });
  return { fauxqs, dynamo };
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
