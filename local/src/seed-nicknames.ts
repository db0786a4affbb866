import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadSeedNicknames } from '@contacts/enrichment';
import { NicknameStore, type Logger } from '@contacts/shared';

/** Fills an empty nicknames table with the project's seed table (enrichment/data/nicknames.csv). */
export async function seedNicknames(
  dynamodb: DynamoDBClient,
  table: string,
  logger: Logger,
): Promise<void> {
  const written = await new NicknameStore({ client: dynamodb, table }).seedIfEmpty(
    await loadSeedNicknames(),
  );
  if (written > 0) logger.info({ table, names: written }, 'nickname table seeded');
}
