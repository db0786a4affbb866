import { describe, expect, it } from 'vitest';
import { parseLoadOptions } from './load-options.ts';

describe('parseLoadOptions', () => {
  it('defaults to the full run: 60 s, 200 creating connections, 1,000 polls/s', () => {
    expect(parseLoadOptions([])).toMatchObject({
      seconds: 60,
      createConnections: 200,
      pollRate: 1000,
      backgroundJobs: 8,
      backgroundRows: 200_000,
    });
  });

  it('reads kebab-case flags and allows 0 only where it turns a scenario off', () => {
    expect(
      parseLoadOptions(['--seconds', '5', '--create-connections=10', '--upload-rate', '0']),
    ).toMatchObject({ seconds: 5, createConnections: 10, uploadRate: 0 });
    expect(() => parseLoadOptions(['--seconds', '0'])).toThrow(
      /--seconds must be a whole number of at least 1/,
    );
    expect(() => parseLoadOptions(['--poll-rate', 'fast'])).toThrow(/--poll-rate/);
    expect(() => parseLoadOptions(['--duration', '5'])).toThrow(/Unknown option '--duration'/);
    expect(parseLoadOptions([])).toMatchObject({ sse: 0 });
    expect(parseLoadOptions(['--sse', '1000'])).toMatchObject({ sse: 1000 });
  });
});
