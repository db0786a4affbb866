import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsEnvelopeSealer, SecretUnsealError } from '@contacts/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The envelope sealer with the real KMS client against a small stand-in of the KMS JSON API
 * (GenerateDataKey and Decrypt only; the "master key" never leaves it). It records what it was
 * asked, so the test can see that KMS got the encryption context and never the secret.
 */

interface KmsRequest {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

const master = randomBytes(32);
const requests: KmsRequest[] = [];
let server: Server;
let kms: KMSClient;

function wrap(dataKey: Buffer, context: unknown): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master, iv);
  cipher.setAAD(Buffer.from(JSON.stringify(context)));
  const data = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]);
}

function unwrap(blob: Buffer, context: unknown): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12));
    decipher.setAAD(Buffer.from(JSON.stringify(context)));
    decipher.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      requests.push({ target, body });
      const send = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      if (target === 'TrentService.GenerateDataKey') {
        const dataKey = randomBytes(32);
        send(200, {
          KeyId: body.KeyId,
          Plaintext: dataKey.toString('base64'),
          CiphertextBlob: wrap(dataKey, body.EncryptionContext).toString('base64'),
        });
        return;
      }
      if (target === 'TrentService.Decrypt') {
        const blob = Buffer.from(String(body.CiphertextBlob), 'base64');
        const dataKey = unwrap(blob, body.EncryptionContext);
        if (dataKey === undefined) {
          send(400, { __type: 'InvalidCiphertextException', message: 'bad ciphertext' });
          return;
        }
        send(200, { KeyId: body.KeyId, Plaintext: dataKey.toString('base64') });
        return;
      }
      send(400, { __type: 'UnsupportedOperationException', message: target });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kms = new KMSClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${String(port)}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  kms.destroy();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

describe('KmsEnvelopeSealer', () => {
  const context = { tenantId: 'tenant-a', connectionId: 'c-1' };
  const secret = '0123456789abcdef0123456789abcdef-us6';

  it('seals with a fresh data key and opens through KMS Decrypt with the context', async () => {
    const sealer = new KmsEnvelopeSealer({ kms, keyId: 'alias/connections' });
    const sealed = await sealer.seal(secret, context);
    expect(sealed).not.toContain(secret);
    expect(JSON.parse(sealed)).toMatchObject({ v: 1, scheme: 'kms-envelope' });
    expect(await sealer.open(sealed, context)).toBe(secret);
    const [generate, decrypt] = requests.slice(-2);
    expect(generate).toMatchObject({
      target: 'TrentService.GenerateDataKey',
      body: { KeyId: 'alias/connections', KeySpec: 'AES_256', EncryptionContext: context },
    });
    expect(decrypt).toMatchObject({
      target: 'TrentService.Decrypt',
      body: { EncryptionContext: context },
    });
    expect(JSON.stringify(requests)).not.toContain(secret);
  });

  it('does not open for another tenant', async () => {
    const sealer = new KmsEnvelopeSealer({ kms, keyId: 'alias/connections' });
    const sealed = await sealer.seal(secret, context);
    await expect(sealer.open(sealed, { ...context, tenantId: 'tenant-b' })).rejects.toThrow();
    await expect(
      sealer.open(JSON.stringify({ ...JSON.parse(sealed), scheme: 'local-aes-gcm' }), context),
    ).rejects.toBeInstanceOf(SecretUnsealError);
  });
});
