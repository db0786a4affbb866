import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';

/**
 * Seals secrets (connection API keys) for storage and opens them again. The context (tenant and
 * connection id) is bound to the ciphertext: a sealed value copied onto another tenant's or
 * connection's item does not open.
 */
export interface SecretSealer {
  seal(plaintext: string, context: SecretContext): Promise<string>;
  open(sealed: string, context: SecretContext): Promise<string>;
}

export type SecretContext = Readonly<Record<string, string>>;

/** A sealed value does not open: wrong key, wrong context, or tampered with. */
export class SecretUnsealError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('secret_unseal_failed', message, options);
  }
}

/** What is stored: AES-256-GCM parts, and for envelopes the data key as KMS encrypted it. */
export interface SealedEnvelope {
  readonly v: 1;
  readonly scheme: 'local-aes-gcm' | 'kms-envelope';
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
  /** kms-envelope: the data key's KMS ciphertext (base64). */
  readonly key?: string;
}

/** AES-256-GCM with the context as additional authenticated data. */
export function aesGcmSeal(
  key: Uint8Array,
  plaintext: string,
  context: SecretContext,
): Pick<SealedEnvelope, 'iv' | 'tag' | 'data'> {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(contextBytes(context));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

export function aesGcmOpen(
  key: Uint8Array,
  sealed: SealedEnvelope,
  context: SecretContext,
): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(contextBytes(context));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.data, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  } catch (error) {
    throw new SecretUnsealError('the sealed secret does not open with this key and context', {
      cause: error,
    });
  }
}

export function parseEnvelope(sealed: string): SealedEnvelope {
  try {
    const value = JSON.parse(sealed) as Partial<SealedEnvelope>;
    if (
      value.v === 1 &&
      typeof value.iv === 'string' &&
      typeof value.tag === 'string' &&
      typeof value.data === 'string'
    )
      return value as SealedEnvelope;
  } catch (error) {
    throw new SecretUnsealError('the sealed secret is not an envelope', { cause: error });
  }
  throw new SecretUnsealError('the sealed secret is not an envelope');
}

/** Keys sorted, so the same context always authenticates the same bytes. */
function contextBytes(context: SecretContext): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return Buffer.from(JSON.stringify(sorted), 'utf8');
}
