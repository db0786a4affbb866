import { connectToAws, createLogger, loadConfig } from '@contacts/shared';
import { seedNicknames } from './seed-nicknames.ts';

/** `npm run provision`: creates the bucket, queues and tables on the configured endpoints. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, name: 'provision' });
  const { clients, queueUrls: urls } = await connectToAws(config, logger, { provision: true });
  await seedNicknames(clients.dynamodb, config.resources.nicknamesTable, logger);
  clients.destroy();
  console.log(
    JSON.stringify(
      {
        bucket: config.resources.bucket,
        queues: urls,
        tables: [
          config.resources.jobsTable,
          config.resources.nicknamesTable,
          config.resources.providersTable,
        ],
      },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
