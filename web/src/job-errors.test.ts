import { describe, expect, it } from 'vitest';
import guide from '../../docs/operations.md?raw';
import { describeJobError } from './job-errors.ts';

describe('describeJobError', () => {
  it('has a sentence for every job error code the operations guide lists', () => {
    const table = guide.slice(guide.indexOf('## Job error codes'));
    const codes = [
      ...table.slice(0, table.indexOf('\n## ', 5)).matchAll(/^\| (`.+?`(?:, `.+?`)*) /gm),
    ]
      .flatMap((m) => m[1]!.split(', '))
      .map((code) => code.replace(/`/g, ''))
      .filter((code) => code !== 'Job error.code');
    expect(codes.length).toBeGreaterThan(10);
    for (const code of codes)
      expect(describeJobError({ code, message: '' }), code).not.toBe('The job failed.');
  });

  it('falls back for codes it does not know', () => {
    expect(describeJobError({ code: 'new_code', message: 'x' })).toBe('The job failed.');
  });
});
