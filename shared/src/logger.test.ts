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
});
