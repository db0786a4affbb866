import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('derives every resource name from the prefix, each overridable', () => {
    const config = loadConfig({ RESOURCE_PREFIX: 'acme', JOBS_TABLE: 'acme-jobs-v2' });
    expect(config.resources).toEqual({
      bucket: 'acme-files',
      controlQueue: 'acme-control',
      controlDlq: 'acme-control-dlq',
      chunkQueue: 'acme-chunks',
      chunkDlq: 'acme-chunks-dlq',
      jobsTable: 'acme-jobs-v2',
      nicknamesTable: 'acme-nicknames',
      providersTable: 'acme-providers',
      webhooksTable: 'acme-webhooks',
      connectionsTable: 'acme-connections',
    });
  });

  it('uses the specific endpoint over the general one and path style with endpoints', () => {
    const config = loadConfig({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4567',
    });
    expect(config.aws.endpoints).toEqual({
      s3: 'http://127.0.0.1:4566',
      sqs: 'http://127.0.0.1:4566',
      dynamodb: 'http://127.0.0.1:4567',
    });
    expect(config.aws.s3ForcePathStyle).toBe(true);
    expect(loadConfig({}).aws.s3ForcePathStyle).toBe(false);
  });

  it('configures the stall watchdog, which 0 turns off, and names a bad value', () => {
    expect(loadConfig({}).worker.watchdog).toEqual({
      intervalSeconds: 60,
      stallAfterSeconds: 900,
      maxRepairs: 3,
    });
    expect(
      loadConfig({ WATCHDOG_INTERVAL_SECONDS: '0', MAX_AUTO_REPAIRS: '0' }).worker.watchdog,
    ).toMatchObject({ intervalSeconds: 0, maxRepairs: 0 });
    expect(() => loadConfig({ STALL_AFTER_SECONDS: '0' })).toThrow(/STALL_AFTER_SECONDS/);
  });

  it('configures People Data Labs, the key optional, batches of at most 100', () => {
    expect(loadConfig({}).providers.pdl).toEqual({
      apiUrl: 'https://api.peopledatalabs.com',
      requestsPerMinute: 100,
      maxConcurrency: 4,
      batchSize: 80,
      minLikelihood: 6,
      slotLeaseSeconds: 6,
      enabled: false,
    });
    expect(
      loadConfig({ PDL_API_KEY: 'pdl-secret', PDL_API_URL: 'http://127.0.0.1:4590' }).providers.pdl,
    ).toMatchObject({ apiKey: 'pdl-secret', apiUrl: 'http://127.0.0.1:4590', enabled: true });
    // An api without the key (only the workers call PDL) is told the provider is there.
    expect(loadConfig({ PDL_ENABLED: 'true' }).providers.pdl).toMatchObject({ enabled: true });
    expect(loadConfig({ PDL_API_KEY: 'k', PDL_ENABLED: 'false' }).providers.pdl.enabled).toBe(
      false,
    );
    expect(() => loadConfig({ PDL_BATCH_SIZE: '101' })).toThrow(/PDL_BATCH_SIZE/);
    expect(() => loadConfig({ PDL_MIN_LIKELIHOOD: '0' })).toThrow(/PDL_MIN_LIKELIHOOD/);
  });

  it('parses API keys into tenants', () => {
    const config = loadConfig({ API_KEYS: 'acme:0123456789abcdef, beta:fedcba9876543210' });
    expect(config.api.apiKeys).toEqual([
      { tenantId: 'acme', key: '0123456789abcdef' },
      { tenantId: 'beta', key: 'fedcba9876543210' },
    ]);
  });

  it('names every bad variable in one error', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', API_KEYS: 'nokey', AWS_ENDPOINT_URL: 'not a url' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/API_KEYS/);
    expect(attempt).toThrow(/AWS_ENDPOINT_URL/);
  });
});
