import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  aesGcmOpen,
  aesGcmSeal,
  parseEnvelope,
  SecretUnsealError,
  type SecretContext,
  type SecretSealer,
} from './secret-sealer.ts';

/**
 * Envelope encryption: KMS makes a fresh data key per secret (GenerateDataKey, AES_256), the
 * secret is sealed locally with it (AES-256-GCM) and only the KMS-encrypted data key is kept.
 * Opening asks KMS to decrypt the data key. The context is KMS's encryption context as well as
 * the GCM additional data, so CloudTrail shows which tenant's connection each Decrypt was for.
 */
export class KmsEnvelopeSealer implements SecretSealer {
  readonly #kms: KMSClient;
  readonly #keyId: string;

  constructor(options: { kms: KMSClient; keyId: string }) {
    this.#kms = options.kms;
    this.#keyId = options.keyId;
  }

  async seal(plaintext: string, context: SecretContext): Promise<string> {
    const output = await this.#kms.send(
      new GenerateDataKeyCommand({
        KeyId: this.#keyId,
        KeySpec: 'AES_256',
        EncryptionContext: { ...context },
      }),
    );
    const { Plaintext: dataKey, CiphertextBlob: encryptedKey } = output;
    if (!dataKey || !encryptedKey) throw new Error('KMS GenerateDataKey returned no key');
    try {
      return JSON.stringify({
        v: 1,
        scheme: 'kms-envelope',
        key: Buffer.from(encryptedKey).toString('base64'),
        ...aesGcmSeal(dataKey, plaintext, context),
      });
    } finally {
      dataKey.fill(0);
    }
  }

  async open(sealed: string, context: SecretContext): Promise<string> {
    const envelope = parseEnvelope(sealed);
    if (envelope.scheme !== 'kms-envelope' || envelope.key === undefined)
      throw new SecretUnsealError(`a ${envelope.scheme} secret needs the local key sealer`);
    const output = await this.#kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(envelope.key, 'base64'),
        EncryptionContext: { ...context },
        KeyId: this.#keyId,
      }),
    );
    if (!output.Plaintext) throw new SecretUnsealError('KMS Decrypt returned no key');
    try {
      return aesGcmOpen(output.Plaintext, envelope, context);
    } finally {
      output.Plaintext.fill(0);
    }
  }
}
