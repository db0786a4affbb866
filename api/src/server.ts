import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import {
  connectToAws,
  createLogger,
  listenOrExplain,
  loadConfig,
  userFacingMessage,
} from '@contacts/shared';
import { createApp } from './app.ts';
import { createAppDeps } from './app-deps.ts';

/** Composition root of the API process. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, name: 'api' });
  if (config.api.apiKeys.length === 0)
    logger.warn('API_KEYS is empty: every request will be refused');
  const { clients, queueUrls } = await connectToAws(config, logger, { recordAs: 'api' });
  const deps = createAppDeps({ config, clients, queueUrls, logger });
  const app = createApp(deps);
  const { host } = config.api;
  const server = await listenOrExplain(
    async () => {
      const listening = app.listen(config.api.port, host);
      await once(listening, 'listening');
      return listening;
    },
    { what: 'the API', host, port: config.api.port, variable: 'PORT' },
  );
  const { port } = server.address() as AddressInfo;
  // Not under `url`: that key is redacted (presigned URLs), and this address is no secret.
  logger.info({ address: `http://${host}:${port}` }, 'api listening');

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    // Open event streams end with the forced exit below; browsers reconnect to another task.
    deps.events.hub.close();
    server.close(() => {
      clients.destroy();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
}

main().catch((error: unknown) => {
  console.error(userFacingMessage(error) ?? error);
  process.exit(1);
});
