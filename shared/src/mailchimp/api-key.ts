import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';

/** A Mailchimp API key split into its secret and its data center (`…-us6` → `us6`). */
export interface MailchimpApiKey {
  readonly apiKey: string;
  readonly dataCenter: string;
}

/** The key has no `-<dc>` suffix (or is not a Mailchimp key at all). */
export class MailchimpKeyFormatError extends AppError {
  constructor(message: string) {
    super('mailchimp_key_format', message);
  }
}

const KEY = /^([0-9a-zA-Z]{8,64})-([a-z]{2,4}\d{1,3})$/;

/**
 * Mailchimp keys end in their data center, which names the API host: without it there is no
 * way to know where to send the key, so the error says exactly that.
 */
export function parseMailchimpApiKey(raw: string): MailchimpApiKey {
  const apiKey = raw.trim();
  const match = KEY.exec(apiKey);
  if (match?.[2] !== undefined) return { apiKey, dataCenter: match[2] };
  if (!apiKey.includes('-'))
    throw new MailchimpKeyFormatError(
      'the Mailchimp API key has no data center suffix: expected <key>-<dc>, e.g. …-us6 (copy the whole key from Mailchimp: Profile › Extras › API keys)',
    );
  throw new MailchimpKeyFormatError(
    'this is not a Mailchimp API key: expected <key>-<dc>, letters and digits then a data center such as us6',
  );
}

/** `https://<dc>.api.mailchimp.com`, unless an override (MAILCHIMP_API_URL) names another. */
export function mailchimpBaseUrl(dataCenter: string, override?: string): string {
  return (override ?? `https://${dataCenter}.api.mailchimp.com`).replace(/\/+$/, '');
}

/**
 * The name the fleet-wide limiter knows a Mailchimp account by: the data center and the
 * account id (GET /3.0/ answers it), so every key and every tenant of one account share its 10
 * connections. Never the key itself.
 */
export function mailchimpAccountKey(dataCenter: string, accountId: string): string {
  return `mailchimp#${dataCenter}#${accountId}`;
}

/** A digest of the key, for logs and for callers that do not know the account id yet. */
export function mailchimpKeyDigest(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}
