import { loadNicknameFile } from '@contacts/enrichment';
import { connectToAws, createLogger, loadConfig, NicknameStore } from '@contacts/shared';

/**
 * `npm run nicknames:import -- FILE.csv`: adds `name,nickname` pairs to the nicknames table of
 * the configured environment (set union per name, so repeating an import changes nothing).
 */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: npm run nicknames:import -- FILE.csv');
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, name: 'nicknames' });
  const { clients } = await connectToAws(config, logger);
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
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
