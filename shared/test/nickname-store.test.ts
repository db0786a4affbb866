import { loadSeedNicknames } from '@contacts/enrichment';
import { startEmulators, type Emulators } from '@contacts/local';
import {
  connectToAws,
  createLogger,
  loadConfig,
  NicknameStore,
  type AwsClients,
} from '@contacts/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let emulators: Emulators;
let clients: AwsClients;
let store: NicknameStore;

beforeAll(async () => {
  emulators = await startEmulators();
  const config = loadConfig({ ...emulators.env, RESOURCE_PREFIX: 'nickname-test' });
  const logger = createLogger({ level: 'silent', name: 't' });
  ({ clients } = await connectToAws(config, logger, { provision: true }));
  store = new NicknameStore({ client: clients.dynamodb, table: config.resources.nicknamesTable });
});

afterAll(async () => {
  clients.destroy();
  await emulators.close();
});

describe('NicknameStore', () => {
  it('seeds an empty table once, imports by set union, and loads every pair back', async () => {
    const seed = await loadSeedNicknames();
    expect(await store.seedIfEmpty(seed)).toBeGreaterThan(500);
    expect(await store.seedIfEmpty(seed)).toBe(0);
    await store.importPairs([
      { name: 'Robert', nickname: 'Bobbo' },
      { name: 'Zebulon', nickname: 'Zeb' },
    ]);
    await store.importPairs([{ name: 'Zebulon', nickname: 'Zeb' }]);
    const pairs = await store.loadPairs();
    const key = (p: { name: string; nickname: string }) => `${p.name}>${p.nickname}`;
    const loaded = new Set(pairs.map(key));
    expect(loaded.has('robert>bob')).toBe(true);
    expect(loaded.has('robert>bobbo')).toBe(true);
    expect(loaded.has('zebulon>zeb')).toBe(true);
    expect(pairs.length).toBe(loaded.size);
    const seedKeys = new Set(
      seed.map((p) => key({ name: p.name.toLowerCase(), nickname: p.nickname.toLowerCase() })),
    );
    expect(pairs.length).toBe(new Set([...seedKeys, 'robert>bobbo', 'zebulon>zeb']).size);
  });
});
