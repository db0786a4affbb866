import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.ts';

const VERSION = 'v1';

/**
 * Encrypts webhook signing secrets at rest (AES-256-GCM). They cannot be hashed like API keys:
 * the worker needs them back to sign deliveries. The key comes from configuration
 * (WEBHOOK_SECRET_KEY, from Secrets Manager in the cloud); a KMS-backed box can replace this
 * class behind the same two methods. The context (tenant and webhook id) is authenticated, so a
 * sealed secret copied onto another webhook does not open.
 */
export class SecretBox {
  readonly #key: Buffer;

  /** `secretKey`: at least 32 characters of random text; the AES key is its SHA-256. */
  constructor(secretKey: string) {
    if (secretKey.length < 32)
      throw new ConfigError('WEBHOOK_SECRET_KEY must be at least 32 characters of random text');
    this.#key = createHash('sha256').update(secretKey).digest();
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), sealed]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** Throws when the value was not sealed with this key and context. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || data === undefined)
      throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}

/** The context a webhook's secret is sealed under: it opens only for that endpoint. */
export function webhookSecretContext(tenantId: string, webhookId: string): string {
  return `webhook/${tenantId}/${webhookId}`;
}
