import { GetBucketCorsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  createAwsClients,
  createLogger,
  loadConfig,
  provisionResources,
  resourceDefinitions,
  type AwsClients,
  type ResourceDefinitions,
} from '@contacts/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../src/index.ts';

let emulators: Emulators;
let clients: AwsClients;
let resources: ResourceDefinitions;

beforeAll(async () => {
  emulators = await startEmulators();
  const config = loadConfig({ ...emulators.env, RESOURCE_PREFIX: 'cors-test' });
  clients = createAwsClients(config.aws);
  resources = resourceDefinitions(config.resources, config.queues);
  await provisionResources(
    { ...clients, logger: createLogger({ level: 'silent', name: 'cors' }) },
    resources,
  );
});

afterAll(async () => {
  clients.destroy();
  await emulators.close();
});

const ORIGIN = 'http://127.0.0.1:1234';

describe('bucket CORS in the embedded S3', () => {
  it('keeps the rules provisioning applies', async () => {
    const stored = await clients.s3.send(
      new GetBucketCorsCommand({ Bucket: resources.bucket.name }),
    );
    const [rule] = resources.bucket.cors;
    expect(stored.CORSRules).toEqual([
      {
        AllowedOrigins: rule!.allowedOrigins,
        AllowedMethods: rule!.allowedMethods,
        AllowedHeaders: rule!.allowedHeaders,
        ExposeHeaders: rule!.exposeHeaders,
        MaxAgeSeconds: rule!.maxAgeSeconds,
      },
    ]);
  });

  it('answers a browser’s preflight for a presigned POST from them', async () => {
    const res = await fetch(`${emulators.s3SqsEndpoint}/${resources.bucket.name}`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, PUT, POST');
  });

  it('refuses a preflight for a method no rule allows, and a bucket without rules', async () => {
    const preflight = (bucket: string, method: string): Promise<Response> =>
      fetch(`${emulators.s3SqsEndpoint}/${bucket}/key`, {
        method: 'OPTIONS',
        headers: { Origin: ORIGIN, 'Access-Control-Request-Method': method },
      });
    expect((await preflight(resources.bucket.name, 'DELETE')).status).toBe(403);
    expect((await preflight('no-such-bucket', 'GET')).status).toBe(403);
  });

  it('adds the CORS headers to a download from an allowed origin', async () => {
    await clients.s3.send(
      new PutObjectCommand({ Bucket: resources.bucket.name, Key: 'a.csv', Body: 'x' }),
    );
    const res = await fetch(`${emulators.s3SqsEndpoint}/${resources.bucket.name}/a.csv`, {
      headers: { Origin: ORIGIN },
    });
    expect(await res.text()).toBe('x');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag');
  });
});
