import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalKeySealer } from './local-key-sealer.ts';
import { SecretUnsealError } from './secret-sealer.ts';

const context = { tenantId: 't1', connectionId: 'c1' };

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function keyFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sealer-'));
  dirs.push(dir);
  return join(dir, 'nested', 'connections.key');
}

describe('LocalKeySealer', () => {
  it('creates a 32-byte key file readable by its owner only, and round-trips a secret', async () => {
    const file = keyFile();
    const sealer = new LocalKeySealer(file);
    const sealed = await sealer.seal('abc123-us6', context);
    expect(sealed).not.toContain('abc123');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file)).toHaveLength(32);
    expect(await new LocalKeySealer(file).open(sealed, context)).toBe('abc123-us6');
  });

  it('seals the same secret differently each time', async () => {
    const sealer = new LocalKeySealer(keyFile());
    expect(await sealer.seal('s', context)).not.toBe(await sealer.seal('s', context));
  });

  it('does not open with another context, another key or a tampered value', async () => {
    const file = keyFile();
    const sealer = new LocalKeySealer(file);
    const sealed = await sealer.seal('secret-us1', context);
    await expect(sealer.open(sealed, { ...context, tenantId: 't2' })).rejects.toBeInstanceOf(
      SecretUnsealError,
    );
    await expect(new LocalKeySealer(keyFile()).open(sealed, context)).rejects.toBeInstanceOf(
      SecretUnsealError,
    );
    const tampered = JSON.stringify({ ...JSON.parse(sealed), data: 'AAAA' });
    await expect(sealer.open(tampered, context)).rejects.toBeInstanceOf(SecretUnsealError);
  });
});
