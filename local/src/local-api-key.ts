import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCAL_TENANT = 'local';

/** The embedded default's API key: made once, kept in the data dir, so it survives restarts. */
export function localApiKey(dataDir: string): string {
  const file = join(dataDir, 'local-api-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const key = `local-${randomBytes(18).toString('base64url')}`;
    writeFileSync(file, key + '\n', { mode: 0o600 });
    return key;
  }
}

/**
 * The embedded default's WEBHOOK_SECRET_KEY (it seals webhook secrets): made once and kept in
 * the data dir like the API key, so endpoints created before a restart still sign.
 */
export function localWebhookSecretKey(dataDir: string): string {
  const file = join(dataDir, 'local-webhook-secret-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(32).toString('base64');
    writeFileSync(file, key + '\n', { mode: 0o600 });
    return key;
  }
}
