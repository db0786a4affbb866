import { describe, expect, it } from 'vitest';
import { parseDlqArgs, UsageError } from './dlq-args.ts';

const jobId = '6f1c2a4e-8a1b-4c3d-9e2f-0a1b2c3d4e5f';

describe('parseDlqArgs', () => {
  it('lists every DLQ, 100 messages, as a table by default', () => {
    expect(parseDlqArgs(['list'])).toEqual({ action: 'list', queue: 'all', max: 100, json: false });
  });

  it('reads the queue, the bound and the output format', () => {
    expect(parseDlqArgs(['list', '--queue', 'chunks', '--max', '5', '--json'])).toEqual({
      action: 'list',
      queue: 'chunks',
      max: 5,
      json: true,
    });
  });

  it('redrives everything that matches unless bounded, optionally of one job', () => {
    expect(parseDlqArgs(['redrive'])).toEqual({
      action: 'redrive',
      queue: 'all',
      max: Number.POSITIVE_INFINITY,
      json: false,
    });
    expect(parseDlqArgs(['redrive', '--queue=control', '--max=2', '--job', jobId])).toEqual({
      action: 'redrive',
      queue: 'control',
      max: 2,
      jobId,
      json: false,
    });
  });

  it('answers help', () => {
    expect(parseDlqArgs(['--help'])).toEqual({ action: 'help' });
    expect(parseDlqArgs(['list', '-h'])).toEqual({ action: 'help' });
  });

  it.each([
    [[], /missing command/],
    [['peek'], /unknown command "peek"/],
    [['list', '--queue', 'jobs'], /--queue is chunks, control or all/],
    [['list', '--max', '0'], /--max is at least 1/],
    [['list', '--max', 'ten'], /--max is a whole number/],
    [['list', '--max', '1.5'], /--max is a whole number/],
    [['list', '--max'], /argument missing/],
    [['list', '--limit', '3'], /Unknown option '--limit'/],
    [['list', 'extra'], /positional argument/],
    [['list', '--job', jobId], /--job applies to redrive only/],
    [['redrive', '--job', 'abc'], /--job is a job id/],
  ])('refuses %j', (argv, reason) => {
    expect(() => parseDlqArgs(argv)).toThrow(UsageError);
    expect(() => parseDlqArgs(argv)).toThrow(reason);
  });
});
