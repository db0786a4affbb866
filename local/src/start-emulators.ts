import { connectToAws, createLogger, loadConfig, userFacingMessage } from '@contacts/shared';
import { seedNicknames } from './seed-nicknames.ts';
import { startEmulators } from './emulators.ts';

/**
 * `npm run emulators`: S3 + SQS and DynamoDB emulators, persisted under DATA_DIR, with every
 * resource provisioned. Prints the environment that points `npm run api` / `npm run worker` here.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, name: 'emulators' });
  const { host, s3SqsPort, dynamodbPort, dataDir } = config.emulators;
  const emulators = await startEmulators({ host, s3SqsPort, dynamodbPort, dataDir });
  const local = loadConfig({ ...process.env, ...emulators.env });
  const { clients } = await connectToAws(local, logger, { provision: true });
  await seedNicknames(clients.dynamodb, local.resources.nicknamesTable, logger);
  clients.destroy();
  console.log(`Emulators ready (data in ${dataDir}). Point the services here with:`);
  for (const [name, value] of Object.entries(emulators.env))
    console.log(`  export ${name}=${value}`);
  const stop = (): void => {
    void emulators.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(userFacingMessage(error) ?? error);
  process.exit(1);
});
