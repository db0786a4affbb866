import { connectToAws, createLogger, loadConfig } from '@contacts/shared';
import { createWorker } from './worker.ts';

/** Composition root of the worker process: configuration, clients, consumers, signals. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, name: 'worker' });
  const { clients, queueUrls } = await connectToAws(config, logger, { recordAs: 'worker' });
  const worker = createWorker({
    config,
    queueUrls,
    clients,
    logger,
  });
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    void worker.stop().then(() => {
      clients.destroy();
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
  worker.start();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
