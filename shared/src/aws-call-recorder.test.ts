import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { DeleteObjectsCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  iamRequestsOf,
  recordAwsCalls,
  recordPresignedPost,
  targetOf,
  type AwsCall,
} from './aws-call-recorder.ts';
import { createAwsClients } from './aws-clients.ts';
import { loadConfig } from './config.ts';
import { KEY_AREAS, keyAreaOf, objectKeys } from './keys.ts';

const names = loadConfig({ RESOURCE_PREFIX: 'rec' }).resources;

describe('iamRequestsOf', () => {
  it('maps reads, heads and multipart steps to the object actions IAM checks', () => {
    const input = { Bucket: 'b', Key: 'work/t/j/parts/000001.csv' };
    for (const command of ['GetObject', 'HeadObject']) {
      expect(iamRequestsOf('s3', command, input)).toEqual([
        { action: 's3:GetObject', ...keyOf(input) },
      ]);
    }
    for (const command of ['CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload']) {
      expect(iamRequestsOf('s3', command, input)[0]?.action).toBe('s3:PutObject');
    }
    expect(iamRequestsOf('s3', 'ListObjectsV2', { Bucket: 'b', Prefix: 'work/' })).toEqual([
      { action: 's3:ListBucket', name: 'b' },
    ]);
    expect(iamRequestsOf('s3', 'HeadBucket', { Bucket: 'b' })[0]?.action).toBe('s3:ListBucket');
  });

  it('authorizes a batch delete per key', () => {
    const requests = iamRequestsOf('s3', 'DeleteObjects', {
      Bucket: 'b',
      Delete: { Objects: [{ Key: 'results/a' }, { Key: 'results/b' }] },
    });
    expect(requests).toEqual([
      { action: 's3:DeleteObject', name: 'b', key: 'results/a' },
      { action: 's3:DeleteObject', name: 'b', key: 'results/b' },
    ]);
  });

  it('names queues by URL and batches by their single action', () => {
    const url = 'http://127.0.0.1:4566/000000000000/rec-chunks';
    expect(iamRequestsOf('sqs', 'SendMessageBatch', { QueueUrl: url })).toEqual([
      { action: 'sqs:SendMessage', name: 'rec-chunks' },
    ]);
    expect(iamRequestsOf('sqs', 'GetQueueUrl', { QueueName: 'rec-control' })).toEqual([
      { action: 'sqs:GetQueueUrl', name: 'rec-control' },
    ]);
  });

  it('keeps DynamoDB actions, with the index of a query and each part of a transaction', () => {
    expect(iamRequestsOf('dynamodb', 'Query', { TableName: 't', IndexName: 'by-status' })).toEqual([
      { action: 'dynamodb:Query', name: 't', index: 'by-status' },
    ]);
    expect(
      iamRequestsOf('dynamodb', 'TransactWriteItems', {
        TransactItems: [{ Put: { TableName: 't' } }, { ConditionCheck: { TableName: 'u' } }],
      }),
    ).toEqual([
      { action: 'dynamodb:PutItem', name: 't' },
      { action: 'dynamodb:ConditionCheckItem', name: 'u' },
    ]);
  });

  it('turns a command it does not know into service:Command, which no policy grants by accident', () => {
    expect(iamRequestsOf('s3', 'PutBucketPolicy', { Bucket: 'b' })[0]?.action).toBe(
      's3:PutBucketPolicy',
    );
  });
});

describe('targetOf', () => {
  it('names each configured resource by its role and anything else unknown', () => {
    expect(targetOf(names, 's3', names.bucket)).toBe('bucket');
    expect(targetOf(names, 'sqs', names.chunkDlq)).toBe('chunkDlq');
    expect(targetOf(names, 'dynamodb', names.nicknamesTable)).toBe('nicknames');
    expect(targetOf(names, 'dynamodb', 'somebody-elses-table')).toBe('unknown');
  });
});

describe('keys', () => {
  it('puts every key of the layout in a declared key area', () => {
    const ref = { tenantId: 't', id: 'j', etag: '"9b2c-2"', nicknameFingerprint: 'f0', format: 1 };
    for (const [name, keyOfRef] of Object.entries(objectKeys)) {
      const key = keyOfRef(ref, 1);
      expect(keyAreaOf(key), `${name}: ${key}`).toBeDefined();
    }
    expect(keyAreaOf(objectKeys.directoryIndex(ref))).toBe('directoryIndexes');
    expect(objectKeys.directoryIndex(ref)).toBe('directory-indexes/t/j/9b2c-2-f0-v1.idx');
    expect(keyAreaOf('elsewhere/x')).toBeUndefined();
    expect(Object.values(KEY_AREAS).every((prefix) => prefix.endsWith('/'))).toBe(true);
  });
});

describe('recordAwsCalls', () => {
  // Refuses everything at once, so calls fail fast without being retried.
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.statusCode = 403;
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    endpoint = `http://127.0.0.1:${address.port}`;
  });

  afterAll(() => {
    server.close();
  });

  it('records each call of each client as its role, failed calls too', async () => {
    const config = loadConfig({
      RESOURCE_PREFIX: 'rec',
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    const clients = createAwsClients(config.aws);
    const calls: AwsCall[] = [];
    recordAwsCalls(clients, { role: 'worker', names, sink: (call) => calls.push(call) });
    try {
      const attempts = [
        () =>
          clients.s3.send(
            new HeadObjectCommand({ Bucket: names.bucket, Key: 'uploads/t/j/a.csv' }),
          ),
        () =>
          clients.s3.send(
            new DeleteObjectsCommand({
              Bucket: names.bucket,
              Delete: { Objects: [{ Key: 'work/t/j/1' }, { Key: 'work/t/j/2' }] },
            }),
          ),
        () =>
          clients.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: `${endpoint}/000000000000/${names.controlQueue}`,
              Entries: [{ Id: '1', MessageBody: '{}' }],
            }),
          ),
        () =>
          clients.dynamodb.send(
            new QueryCommand({ TableName: names.jobsTable, KeyConditionExpression: 'a = :a' }),
          ),
      ];
      // One at a time, so they are recorded in this order.
      for (const attempt of attempts) await expect(attempt()).rejects.toThrow();
      recordPresignedPost(clients.s3Public, names.bucket, 'directories/t/d/directory.csv');
    } finally {
      clients.destroy();
    }
    expect(calls.map((c) => [c.role, c.action, c.target, c.key, c.presigned])).toEqual([
      ['worker', 's3:GetObject', 'bucket', 'uploads/t/j/a.csv', undefined],
      ['worker', 's3:DeleteObject', 'bucket', 'work/t/j/1', undefined],
      ['worker', 's3:DeleteObject', 'bucket', 'work/t/j/2', undefined],
      ['worker', 'sqs:SendMessage', 'control', undefined, undefined],
      ['worker', 'dynamodb:Query', 'jobs', undefined, undefined],
      ['worker', 's3:PutObject', 'bucket', 'directories/t/d/directory.csv', true],
    ]);
  });

  it('leaves clients without a recorder alone', () => {
    const clients = createAwsClients(loadConfig({}).aws);
    // No recorder registered for this client: nothing to call, nothing thrown.
    expect(() => {
      recordPresignedPost(clients.s3, 'b', 'uploads/x');
    }).not.toThrow();
    clients.destroy();
  });
});

function keyOf(input: { Bucket: string; Key: string }): { name: string; key: string } {
  return { name: input.Bucket, key: input.Key };
}
