import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeedNicknames } from '@contacts/enrichment';
import { nicknameItems } from '@contacts/shared';
import {
  DLQ_RETENTION_SECONDS,
  loadConfig,
  queueAttributes,
  resourceNamesFor,
  type ResourceDefinitions,
} from '@contacts/shared';
import {
  INIT_HOOK_CONTAINER_PATH,
  INIT_HOOK_PATH,
  renderInitHook,
} from '../src/localstack-init-hook.ts';
import { localstackResources } from '../src/localstack-resources.ts';
import { repoPath } from '../src/repo-paths.ts';
import {
  composeText,
  environmentOf,
  loadCompose,
  service,
  type ComposeFile,
} from './support/compose.ts';
import { configEnvNames, SDK_ENV_NAMES } from './support/config-env-names.ts';

const run = promisify(execFile);
const APP_SERVICES = ['api', 'worker'] as const;

describe('docker-compose.yml', () => {
  let compose: ComposeFile;
  beforeAll(() => {
    compose = loadCompose();
  });

  it('configures api, worker and emulators only with variables of the config schema', () => {
    const known = new Set([...configEnvNames(), ...SDK_ENV_NAMES]);
    for (const name of [...APP_SERVICES, 'emulators']) {
      for (const variable of Object.keys(environmentOf(service(compose, name)))) {
        expect(known, `${name}: ${variable}`).toContain(variable);
      }
    }
  });

  it('gives every service the default resource names, which the init hook creates', () => {
    const expected = resourceNamesFor('contacts');
    for (const name of [...APP_SERVICES, 'emulators']) {
      const config = loadConfig(environmentOf(service(compose, name)));
      expect(config.resources, name).toEqual(expected);
      expect(config.queues, name).toEqual(loadConfig({}).queues);
    }
  });

  it('builds api, worker and emulators from docker/ and starts them after a healthy backend', () => {
    for (const [name, target] of [
      ['api', 'api'],
      ['worker', 'worker'],
      ['emulators', 'emulators'],
    ] as const) {
      expect(service(compose, name).build).toEqual({
        context: '.',
        dockerfile: 'docker/Dockerfile',
        target,
      });
    }
    for (const name of APP_SERVICES) {
      const app = service(compose, name);
      expect(app.depends_on).toEqual({
        localstack: { condition: 'service_healthy', required: false },
        emulators: { condition: 'service_healthy', required: false },
      });
      expect(app.profiles?.sort()).toEqual(['emulators', 'localstack']);
      expect(environmentOf(app).PROVISION_RESOURCES).toBe('false');
    }
    expect(environmentOf(service(compose, 'api')).HOST).toBe('0.0.0.0');
  });

  it('lets the worker scale and stop like on ECS', () => {
    const worker = service(compose, 'worker');
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    const deadline = loadConfig(environmentOf(worker)).worker.shutdownDeadlineSeconds;
    expect(Number.parseInt(worker.stop_grace_period ?? '0', 10)).toBeGreaterThan(deadline);
  });

  it('pins LocalStack, mounts the init hook, checks health and takes the token from the environment', () => {
    const localstack = service(compose, 'localstack');
    expect(localstack.image).toMatch(/^localstack\/localstack:\d{4}\.\d{2}\.\d+$/);
    expect(localstack.volumes).toContain(`./${INIT_HOOK_PATH}:${INIT_HOOK_CONTAINER_PATH}:ro`);
    expect(localstack.healthcheck?.test.join(' ')).toContain('/_localstack/init/ready');
    expect(localstack.profiles).toEqual(['localstack']);
    // Interpolated from the user's environment, never a literal token.
    const raw = composeText();
    expect(raw).toContain('LOCALSTACK_AUTH_TOKEN: ${LOCALSTACK_AUTH_TOKEN:-}');
    expect(raw).not.toMatch(/ls-[A-Za-z0-9]{8,}/);
  });

  it('offers the project’s emulators as the no-account backend under the same address', () => {
    const emulators = service(compose, 'emulators');
    expect(emulators.profiles).toEqual(['emulators']);
    expect(emulators.healthcheck?.test).toEqual(['CMD', 'node', 'local/dist/src/provision-cli.js']);
    const backendAliases = ['localstack', 'emulators'].map(
      (name) => service(compose, name).networks?.default?.aliases,
    );
    expect(backendAliases).toEqual([['aws'], ['aws']]);
    const app = loadConfig(environmentOf(service(compose, 'api')));
    const emulatorConfig = loadConfig(environmentOf(emulators)).emulators;
    expect(app.aws.endpoints).toEqual({
      s3: `http://aws:${emulatorConfig.s3SqsPort}`,
      sqs: `http://aws:${emulatorConfig.s3SqsPort}`,
      dynamodb: `http://aws:${emulatorConfig.dynamodbPort}`,
    });
    expect(environmentOf(service(compose, 'localstack')).GATEWAY_LISTEN).toBe(
      `0.0.0.0:${emulatorConfig.s3SqsPort},0.0.0.0:${emulatorConfig.dynamodbPort}`,
    );
  });
});

describe(`the LocalStack init hook (${INIT_HOOK_PATH})`, () => {
  it('is generated from the resource definitions of the services’ configuration', async () => {
    const committed = await readFile(repoPath(INIT_HOOK_PATH), 'utf8');
    const compose = loadCompose();
    const nicknames = nicknameItems(await loadSeedNicknames());
    expect(nicknames.length).toBeGreaterThan(500);
    for (const name of APP_SERVICES) {
      const expected = renderInitHook(
        localstackResources(environmentOf(service(compose, name))),
        nicknames,
      );
      expect(committed, `stale: run npm run localstack:init (${name})`).toBe(expected);
    }
  });

  it('is executable, as LocalStack requires', async () => {
    const { mode } = await stat(repoPath(INIT_HOOK_PATH));
    expect(mode & 0o111).not.toBe(0);
  });

  describe('run against a recording awslocal', () => {
    let directory: string;
    let calls: string[][];
    let resources: ResourceDefinitions;

    beforeAll(async () => {
      resources = localstackResources();
      directory = await mkdtemp(join(tmpdir(), 'init-hook-'));
      calls = await runHookWithStub(directory);
    });
    afterAll(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    const callsOf = (...prefix: string[]): string[][] =>
      calls.filter((args) => prefix.every((word, i) => args[i] === word));
    const option = (args: string[], name: string): string => {
      const index = args.indexOf(name);
      if (index < 0) throw new Error(`${name} missing in ${args.join(' ')}`);
      return args[index + 1] ?? '';
    };

    it('creates the bucket with the shared CORS rule', () => {
      expect(callsOf('s3api', 'create-bucket').map((a) => option(a, '--bucket'))).toEqual([
        resources.bucket.name,
      ]);
      const [cors] = callsOf('s3api', 'put-bucket-cors');
      expect(JSON.parse(option(cors!, '--cors-configuration'))).toEqual({
        CORSRules: resources.bucket.cors.map((rule) => ({
          AllowedMethods: rule.allowedMethods,
          AllowedOrigins: rule.allowedOrigins,
          AllowedHeaders: rule.allowedHeaders,
          ExposeHeaders: rule.exposeHeaders,
          MaxAgeSeconds: rule.maxAgeSeconds,
        })),
      });
    });

    it('gives each queue exactly queueAttributes() with its own DLQ in the redrive policy', () => {
      const attributesByUrl = new Map(
        callsOf('sqs', 'set-queue-attributes').map((a) => [
          option(a, '--queue-url'),
          JSON.parse(option(a, '--attributes')) as Record<string, string>,
        ]),
      );
      for (const queue of resources.queues) {
        expect(attributesByUrl.get(stubQueueUrl(queue.name))).toEqual(
          queueAttributes(queue, stubQueueArn(queue.deadLetterQueue)),
        );
        expect(attributesByUrl.get(stubQueueUrl(queue.deadLetterQueue))).toEqual({
          MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
        });
      }
      expect(attributesByUrl.size).toBe(resources.queues.length * 2);
    });

    it('creates each table with its key and the TTL attribute', () => {
      const created = callsOf('dynamodb', 'create-table').map((a) => [
        option(a, '--table-name'),
        option(a, '--key-schema'),
      ]);
      expect(created).toEqual(
        resources.tables.map((t) => [t.name, `AttributeName=${t.partitionKey},KeyType=HASH`]),
      );
      const ttl = callsOf('dynamodb', 'update-time-to-live').map((a) => [
        option(a, '--table-name'),
        option(a, '--time-to-live-specification'),
      ]);
      expect(ttl).toEqual(
        resources.tables
          .filter((t) => t.ttlAttribute !== undefined)
          .map((t) => [t.name, `Enabled=true,AttributeName=${t.ttlAttribute ?? ''}`]),
      );
    });

    it('seeds the empty nicknames table with every seed nickname, in batches of 25', async () => {
      const writes = callsOf('dynamodb', 'batch-write-item').map(
        (a) => JSON.parse(option(a, '--request-items')) as Record<string, unknown[]>,
      );
      expect(writes.length).toBeGreaterThan(0);
      const seed = nicknameItems(await loadSeedNicknames());
      const written = writes.flatMap((w) => w['contacts-nicknames'] ?? []);
      expect(written).toHaveLength(seed.length);
      expect(writes.every((w) => (w['contacts-nicknames'] ?? []).length <= 25)).toBe(true);
      expect(written[0]).toEqual({
        PutRequest: { Item: { name: { S: seed[0]!.name }, nicknames: { SS: seed[0]!.nicknames } } },
      });
    });
  });
});

const stubQueueUrl = (name: string): string => `http://sqs.local/000000000000/${name}`;
const stubQueueArn = (name: string): string => `arn:aws:sqs:us-east-1:000000000000:${name}`;

/**
 * Runs the hook with bash and an `awslocal` that records its arguments and answers like an empty
 * LocalStack (no bucket, no table yet); returns the recorded calls.
 */
async function runHookWithStub(directory: string): Promise<string[][]> {
  const log = join(directory, 'calls.jsonl');
  const stub = join(directory, 'awslocal.mjs');
  await writeFile(
    stub,
    `import { appendFileSync } from 'node:fs';
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + '\\n');
const value = (name) => args[args.indexOf(name) + 1];
const [service, command] = args;
if (service === 's3api' && command === 'head-bucket') process.exit(254);
if (service === 'dynamodb' && command === 'describe-table') process.exit(254);
if (service === 'dynamodb' && command === 'scan') console.log('0');
if (command === 'get-queue-url') console.log(${JSON.stringify(stubQueueUrl(''))} + value('--queue-name'));
if (command === 'get-queue-attributes') {
  console.log(${JSON.stringify(stubQueueArn(''))} + value('--queue-url').split('/').pop());
}
`,
  );
  const wrapper = join(directory, 'awslocal');
  await writeFile(
    wrapper,
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(stub)} "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  await run('bash', [repoPath(INIT_HOOK_PATH)], {
    env: { PATH: `${directory}:${process.env.PATH ?? ''}` },
  });
  const text = await readFile(log, 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as string[]);
}
