import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';
import { emulateBucketCors } from './bucket-cors.ts';

/**
 * fauxqs (S3 + SQS emulator) listening on an address we choose.
 *
 * `startFauxqs` always binds 0.0.0.0, which would expose the emulator to the network, so this
 * builds the app with `buildApp` and listens itself. Persistence is wired the way `startFauxqs`
 * wires it; those store classes are not in the package's public exports, so they are loaded
 * from its dist folder (the version is pinned exactly in package.json for that reason).
 */
export interface FauxqsServer {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface FauxqsOptions {
  readonly host: string;
  readonly port: number;
  /** Persist queues (SQLite) and objects (plain files) here; in memory when absent. */
  readonly dataDir?: string;
}

interface Closable {
  close(): void;
}

type BuildAppStores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;

export async function startFauxqsServer(options: FauxqsOptions): Promise<FauxqsServer> {
  const stores =
    options.dataDir === undefined ? undefined : await persistentStores(options.dataDir);
  const app = buildApp({
    logger: false,
    ...(stores === undefined ? {} : { stores: stores.stores }),
  });
  emulateBucketCors(app);
  if (stores !== undefined) {
    app.addHook('onClose', () => {
      for (const closable of stores.closables) closable.close();
    });
  }
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    endpoint: `http://${hostForUrl(options.host)}:${port}`,
    port,
    close: () => app.close(),
  };
}

async function persistentStores(
  dataDir: string,
): Promise<{ stores: BuildAppStores; closables: Closable[] }> {
  const dist = dirname(fileURLToPath(import.meta.resolve('fauxqs')));
  const load = async (file: string): Promise<Record<string, new (...args: never[]) => unknown>> =>
    (await import(pathToFileURL(join(dist, file)).href)) as Record<
      string,
      new (...args: never[]) => unknown
    >;
  const { SqsStore } = await load('sqs/sqsStore.js');
  const { SnsStore } = await load('sns/snsStore.js');
  const { S3Store } = await load('s3/s3Store.js');
  const { PersistenceManager } = await load('persistence.js');
  const { FileS3Persistence } = await load('s3/fileS3Persistence.js');
  if (!SqsStore || !SnsStore || !S3Store || !PersistenceManager || !FileS3Persistence) {
    throw new Error('fauxqs internals changed: pin the version in local/package.json');
  }
  mkdirSync(dataDir, { recursive: true });
  type Store = Record<string, unknown> & { allQueues?: () => Record<string, unknown>[] };
  const sqsStore = new SqsStore() as Store;
  const snsStore = new SnsStore() as Store;
  const s3Store = new S3Store() as Store;
  const queues = new (PersistenceManager as unknown as new (dir: string) => PersistedQueues)(
    join(dataDir, 'sqs'),
  );
  keepReceiveCountOnRelease(queues);
  // Objects as plain files: large uploads would bloat SQLite, and files can be inspected.
  const objects = new (
    FileS3Persistence as unknown as new (dir: string) => Closable & {
      loadS3(s3: unknown): void;
    }
  )(join(dataDir, 's3'));
  // Load before attaching persistence, as fauxqs does, so loading does not write back.
  queues.loadSqsAndSns(sqsStore, snsStore);
  objects.loadS3(s3Store);
  sqsStore.persistence = queues;
  snsStore.persistence = queues;
  for (const queue of sqsStore.allQueues?.() ?? []) queue.persistence = queues;
  s3Store.persistence = objects;
  const stores = { sqsStore, snsStore, s3Store } as unknown as BuildAppStores;
  return { stores, closables: [queues, objects] };
}

interface PersistedQueues extends Closable {
  loadSqsAndSns(sqs: unknown, sns: unknown): void;
  updateMessageReady(messageId: string): void;
  readonly db: { prepare(sql: string): { run(...values: unknown[]): unknown } };
}

/**
 * fauxqs 2.4.1 bug: making a message visible again (ChangeMessageVisibility to 0) writes NULL
 * into the NOT NULL receive-count column; the write throws after the message left the in-flight
 * list, so the message is lost. Workers release messages that way on shutdown, so the fix
 * matters: only the receipt handle and deadline are cleared, the receive count stays.
 */
function keepReceiveCountOnRelease(queues: PersistedQueues): void {
  const release = queues.db.prepare(
    'UPDATE sqs_messages SET receipt_handle = NULL, visibility_deadline = NULL WHERE message_id = ?',
  );
  queues.updateMessageReady = (messageId) => {
    release.run(messageId);
  };
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
