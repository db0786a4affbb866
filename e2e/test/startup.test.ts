import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulators, type Emulators } from '@contacts/local';
import { connectToAws, createLogger, loadConfig, type AppConfig } from '@contacts/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const logger = createLogger({ level: 'silent', name: 'startup-test' });
const dataDir = mkdtempSync(join(tmpdir(), 'startup-test-'));
let emulators: Emulators;

function configFor(prefix: string): AppConfig {
  return loadConfig({ ...emulators.env, RESOURCE_PREFIX: prefix });
}

beforeAll(async () => {
  emulators = await startEmulators({ dataDir });
  const { clients } = await connectToAws(configFor('startup'), logger, { provision: true });
  clients.destroy();
});

afterAll(async () => {
  await emulators.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('connecting at start-up', () => {
  it('waits for endpoints that do not answer yet, then connects', async () => {
    await emulators.stop();
    const started = Date.now();
    const connecting = connectToAws(configFor('startup'), logger, { waitMs: 20_000 });
    setTimeout(() => void emulators.restart(), 1500);
    const { clients, queueUrls } = await connecting;
    clients.destroy();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(queueUrls.chunk).toMatch(/startup-chunks$/);
  });

  it('gives up on unreachable endpoints after the wait', async () => {
    await emulators.stop();
    try {
      const started = Date.now();
      await expect(
        connectToAws(configFor('startup'), logger, { waitMs: 500 }),
      ).rejects.toMatchObject({ message: 'could not look up queue startup-control' });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await emulators.restart();
    }
  });

  it('fails at once, saying so, when a queue does not exist', async () => {
    const started = Date.now();
    await expect(connectToAws(configFor('never-provisioned'), logger)).rejects.toMatchObject({
      message: 'queue never-provisioned-control does not exist (is it provisioned?)',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
