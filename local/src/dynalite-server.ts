import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite is CommonJS without type declarations; this is the one function it exports.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

/** dynalite (DynamoDB emulator) on a chosen address, persisted with LevelDB when given a path. */
export interface DynaliteServer {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startDynaliteServer(options: {
  host: string;
  port: number;
  dataDir?: string;
}): Promise<DynaliteServer> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  // Real DynamoDB takes seconds to create a table; nobody waits for that locally.
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // close() drops only the connections idle at that moment; a keep-alive connection that
        // finishes its request later would go on serving until its keep-alive timeout (seconds).
        // Not closeAllConnections(): dynalite throws, taking the process down, when a request it
        // is still handling finds its database closed. Requests take milliseconds to finish.
        const sweep = setInterval(() => {
          server.closeIdleConnections();
        }, 10);
        server.close((error?: Error) => {
          clearInterval(sweep);
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
