import { describe, expect, it } from 'vitest';
import { StreamTokens } from './stream-token.ts';

const keys = [{ tenantId: 'tenant-a', key: 'key-a-0123456789abcdef' }];

describe('StreamTokens', () => {
  it('grants what it minted until it expires', () => {
    let now = 1_000_000_000_000;
    const tokens = new StreamTokens({ apiKeys: keys, ttlSeconds: 60, now: () => now });
    const { token, expiresAt } = tokens.mint('tenant-a', 'job-1');
    expect(tokens.verify(token)).toEqual({
      tenantId: 'tenant-a',
      jobId: 'job-1',
      expiresAt: Date.parse(expiresAt) / 1000,
    });
    now += 60_000;
    expect(tokens.verify(token)).toBeUndefined();
  });

  it('refuses tokens signed with other API keys, edited or malformed', () => {
    const tokens = new StreamTokens({ apiKeys: keys, ttlSeconds: 60 });
    const other = new StreamTokens({
      apiKeys: [{ tenantId: 'tenant-a', key: 'another-key-0123456789' }],
      ttlSeconds: 60,
    });
    const { token } = tokens.mint('tenant-a', 'job-1');
    expect(other.verify(token)).toBeUndefined();
    const [prefix, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ t: 'tenant-b', j: 'job-1', e: 9e9 })).toString(
      'base64url',
    );
    expect(tokens.verify(`${prefix}.${forged}.${signature}`)).toBeUndefined();
    expect(tokens.verify('v1.x')).toBeUndefined();
    expect(tokens.verify('')).toBeUndefined();
  });
});
