import { loadNicknameFile } from '@contacts/enrichment';
import {
  AppError,
  connectionHint,
  connectToAws,
  createLogger,
  loadConfig,
  NicknameStore,
  toolEnvironment,
} from '@contacts/shared';

/**
 * `npm run nicknames:import -- FILE.csv`: adds `name,nickname` pairs to the nicknames table of
 * the configured environment (set union per name, so repeating an import changes nothing).
 */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: npm run nicknames:import -- FILE.csv');
  // Against a running `npm start` without hand-set variables: its emulators' endpoints.
  const tool = toolEnvironment(process.env);
  const config = loadConfig(tool.env);
  const logger = createLogger({ level: config.logLevel, name: 'nicknames' });
  const { clients } = await connectToAws(config, logger, { waitMs: 5_000 }).catch(
    (error: unknown) => {
      throw new AppError('aws_unreachable', connectionHint(tool, config.emulators.dataDir), {
        cause: error,
      });
    },
  );
  try {
    const pairs = await loadNicknameFile(file);
    const store = new NicknameStore({
      client: clients.dynamodb,
      table: config.resources.nicknamesTable,
    });
    const names = await store.importPairs(pairs);
    console.log(
      `imported ${pairs.length} pairs for ${names} names into ${config.resources.nicknamesTable}`,
    );
  } finally {
    clients.destroy();
  }
}

main().catch((error: unknown) => {
  const causes: string[] = [];
  for (let e: unknown = error; e instanceof Error && causes.length < 4; e = e.cause)
    causes.push(e.message);
  console.error(causes.length > 0 ? causes.join(': ') : error);
  process.exit(1);
});
