import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { REDACTED_PATHS } from './logger.ts';

describe('REDACTED_PATHS', () => {
  it('keeps provider API keys out of the log, wherever a config object is logged', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
    const config = loadConfig({ PDL_API_KEY: 'pdl-secret-0123456789' });

    logger.info({ config }, 'config');
    logger.info(config, 'config at the top level');
    logger.info({ pdl: config.providers.pdl }, 'pdl settings');
    logger.info({ apiKey: 'pdl-secret-0123456789' }, 'a key alone');

    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).not.toContain('pdl-secret-0123456789');
    expect(lines[2]).toContain('"apiUrl":"https://api.peopledatalabs.com"');
  });

  it('keeps webhook secrets, their sealing key and stream tokens out of the log', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
    const sealingKey = 'webhook-sealing-key-0123456789abcdef';
    const config = loadConfig({ WEBHOOK_SECRET_KEY: sealingKey });

    logger.info({ config }, 'config');
    logger.info(config, 'config at the top level');
    logger.info(
      { webhook: { id: 'w1', secret: 'whsec_c2VjcmV0', sealedSecret: 'v1.a.b.c' } },
      'hook',
    );
    logger.info({ secret: 'whsec_c2VjcmV0', token: 'v1.payload.sig' }, 'alone');

    expect(lines).toHaveLength(4);
    for (const line of lines) {
      for (const secret of [sealingKey, 'whsec_c2VjcmV0', 'v1.a.b.c', 'v1.payload.sig'])
        expect(line).not.toContain(secret);
    }
    expect(lines[2]).toContain('"id":"w1"');
  });
});
