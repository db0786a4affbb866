import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PurgeQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createApp, createAppDeps, type AppDeps, type ConnectionLookup } from '@contacts/api';
import { seedNicknames, startEmulators, type Emulators } from '@contacts/local';
import {
  connectToAws,
  createAwsClients,
  createLogger,
  JobStore,
  loadConfig,
  ObjectStore,
  recordCallsWhenConfigured,
  type AppConfig,
  type AwsClients,
  type QueueUrls,
  queueCounts,
} from '@contacts/shared';
import { createWorker, type Worker, type WorkerDeps } from '@contacts/worker';
import type { Express } from 'express';
import { recordResponses } from './contract/response-recorder.ts';
import { checkHarnessCalls } from './iam/check-harness-calls.ts';

export const TENANT_A = { tenantId: 'tenant-a', key: 'key-a-0123456789abcdef' };
export const TENANT_B = { tenantId: 'tenant-b', key: 'key-b-0123456789abcdef' };

/** What a test may replace in a worker: the engine, the providers, their cache and limiter. */
export type WorkerOverrides = Partial<
  Pick<
    WorkerDeps,
    | 'enrichers'
    | 'providers'
    | 'providerCache'
    | 'requestLimiter'
    | 'providerOutageWaitMs'
    | 'audiences'
    | 'onDirectoryIndexBuild'
  >
>;

export interface Harness {
  readonly config: AppConfig;
  /** The test's own clients (provisioning, setup, inspection); never recorded. */
  readonly clients: AwsClients;
  /** The api's clients, recorded as role `api` when AWS_CALL_LOG_DIR is set. */
  readonly apiClients: AwsClients;
  /** The workers' clients, recorded as role `worker` when AWS_CALL_LOG_DIR is set. */
  readonly workerClients: AwsClients;
  readonly queueUrls: QueueUrls;
  readonly jobs: JobStore;
  readonly objects: ObjectStore;
  readonly app: Express;
  /** What the app was built from (its event hub's counters, for instance). */
  readonly appDeps: AppDeps;
  readonly emulators: Emulators;
  /** Starts a worker against the same resources; several may run at once. */
  startWorker(options?: WorkerOverrides): Worker;
  /** Starts the app on a loopback port (for clients that need a real URL). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real API and real workers in this process, against emulators on random loopback ports,
 * with resource names unique to `prefix`. The api, the workers and the test each have their own
 * SDK clients, so the calls of each process can be recorded as its task role's (the vitest
 * global setup sets AWS_CALL_LOG_DIR).
 */
export async function startHarness(options: {
  prefix: string;
  env?: Record<string, string>;
  /** Persist the emulators here, so they can be stopped and restarted (outage drills). */
  dataDir?: string;
  /** Record the app's answers here (default: API_CONTRACT_LOG_DIR, set by the global setup). */
  contractLogDir?: string;
  /** The api's connection lookup (Mailchimp jobs), when a test brings its own. */
  connections?: ConnectionLookup;
}): Promise<Harness> {
  const emulators = await startEmulators(
    options.dataDir === undefined ? {} : { dataDir: options.dataDir },
  );
  // Removed on close: it holds a key that unseals the test's connection secrets.
  const keysDir = mkdtempSync(join(tmpdir(), `${options.prefix}-keys-`));
  const config = loadConfig({
    ...emulators.env,
    RESOURCE_PREFIX: options.prefix,
    API_KEYS: [TENANT_A, TENANT_B].map((t) => `${t.tenantId}:${t.key}`).join(','),
    POLL_WAIT_SECONDS: '1',
    VISIBILITY_TIMEOUT_SECONDS: '10',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    AWS_CALL_LOG_DIR: process.env.AWS_CALL_LOG_DIR ?? '',
    // Connection secrets are sealed with a key file of the test's own, never the repo's .data/.
    CONNECTIONS_KEY_FILE: join(keysDir, 'connections.key'),
    ...options.env,
  });
  const logger = createLogger({ level: config.logLevel, name: options.prefix });
  const { clients, queueUrls } = await connectToAws(config, logger, { provision: true });
  await seedNicknames(clients.dynamodb, config.resources.nicknamesTable, logger);
  const jobs = new JobStore({ client: clients.dynamodb, table: config.resources.jobsTable });
  const objects = new ObjectStore({ s3: clients.s3, bucket: config.resources.bucket });
  const clientsOf = (role: 'api' | 'worker'): AwsClients => {
    const roleClients = createAwsClients(config.aws);
    recordCallsWhenConfigured(roleClients, {
      callLogDir: config.aws.callLogDir,
      role,
      names: config.resources,
    });
    return roleClients;
  };
  const apiClients = clientsOf('api');
  const workerClients = clientsOf('worker');
  const appDeps = createAppDeps({
    config,
    clients: apiClients,
    queueUrls,
    logger,
    ...(options.connections === undefined ? {} : { connections: options.connections }),
  });
  const api = createApp(appDeps);
  // The contract check (vitest global setup) reads every answer of the suite's apps.
  const contractDir = options.contractLogDir ?? process.env.API_CONTRACT_LOG_DIR;
  const app = contractDir ? recordResponses(api, contractDir) : api;
  const workers: Worker[] = [];
  const servers: Server[] = [];
  return {
    config,
    clients,
    apiClients,
    workerClients,
    queueUrls,
    jobs,
    objects,
    app,
    appDeps,
    emulators,
    startWorker(workerOptions = {}) {
      const worker = createWorker({
        config,
        queueUrls,
        clients: workerClients,
        logger,
        ...workerOptions,
      });
      worker.start();
      workers.push(worker);
      return worker;
    },
    async listen() {
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      await Promise.allSettled(workers.map((w) => w.stop()));
      appDeps.events.hub.close();
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
      for (const set of [clients, apiClients, workerClients]) set.destroy();
      await emulators.close();
      rmSync(keysDir, { recursive: true, force: true });
      // Last, so a denied call fails the test file only once everything is cleaned up.
      await checkHarnessCalls(config.aws.callLogDir, config.resources);
    },
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${options.what ?? 'condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** Empties the work queues and their dead-letter queues (between tests of one file). */
export async function purgeQueues(harness: Harness): Promise<void> {
  const { control, controlDlq, chunk, chunkDlq } = harness.queueUrls;
  for (const url of [control, controlDlq, chunk, chunkDlq])
    await harness.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
}

/** Messages in a queue, visible or in flight (approximate, as SQS reports them). */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const counts = await queueCounts(sqs, queueUrl);
  return counts.visible + counts.inFlight;
}
