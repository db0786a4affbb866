import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths that may carry secrets or personal data; never written to logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'upload.url',
  'upload.fields',
  'result.url',
  'result.rejectsUrl',
  'url',
  'row',
  'fields',
  // Provider keys (config.providers.pdl.apiKey, connection keys) if such an object is logged.
  'apiKey',
  '*.apiKey',
  'providers.pdl.apiKey',
  'config.providers.pdl.apiKey',
  'PDL_API_KEY',
  // Webhook signing secrets (plain or sealed), the key that seals them, event-stream tokens.
  'secret',
  '*.secret',
  'sealedSecret',
  '*.sealedSecret',
  'secretKey',
  '*.secretKey',
  'webhooks.secretKey',
  'config.webhooks.secretKey',
  'WEBHOOK_SECRET_KEY',
  'token',
  '*.token',
];

export function createLogger(options: { level: string; name: string }): Logger {
  return pino({
    name: options.name,
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}
