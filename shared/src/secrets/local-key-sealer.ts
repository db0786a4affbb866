import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.ts';
import {
  aesGcmOpen,
  aesGcmSeal,
  parseEnvelope,
  SecretUnsealError,
  type SecretContext,
  type SecretSealer,
} from './secret-sealer.ts';

const KEY_BYTES = 32;

/**
 * Seals with a 32-byte AES-256-GCM key kept in a local file (the embedded default, tests): made
 * with mode 0600 when missing. On AWS, KmsEnvelopeSealer takes its place.
 */
export class LocalKeySealer implements SecretSealer {
  readonly #file: string;
  #key: Promise<Buffer> | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  async seal(plaintext: string, context: SecretContext): Promise<string> {
    const key = await this.#loadKey();
    return JSON.stringify({
      v: 1,
      scheme: 'local-aes-gcm',
      ...aesGcmSeal(key, plaintext, context),
    });
  }

  async open(sealed: string, context: SecretContext): Promise<string> {
    const envelope = parseEnvelope(sealed);
    if (envelope.scheme !== 'local-aes-gcm')
      throw new SecretUnsealError(`a ${envelope.scheme} secret needs the KMS sealer`);
    return aesGcmOpen(await this.#loadKey(), envelope, context);
  }

  #loadKey(): Promise<Buffer> {
    this.#key ??= loadOrCreateKey(this.#file);
    // A failed load is not remembered: the next call tries again.
    this.#key.catch(() => {
      this.#key = undefined;
    });
    return this.#key;
  }
}

async function loadOrCreateKey(file: string): Promise<Buffer> {
  try {
    const key = await readFile(file);
    if (key.length !== KEY_BYTES)
      throw new ConfigError(`${file} must hold exactly ${String(KEY_BYTES)} bytes`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(file), { recursive: true });
  const key = randomBytes(KEY_BYTES);
  try {
    // 'wx': two processes starting at once must not each write a different key.
    await writeFile(file, key, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFile(file);
    throw error;
  }
}
