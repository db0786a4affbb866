import { describe, expect, it } from 'vitest';
import { InputFileError, OutageLog, type Logger } from '@contacts/shared';
import { disposeOfFailure } from './failure-disposition.ts';
import type { DeliveryContext } from './message-handler.ts';
import type { QueueMessages } from './queue-messages.ts';

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A logger that keeps each line (pino's level numbers, the fields and `msg`). */
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const at =
    (level: number) =>
    (fields: Record<string, unknown>, msg: string): void => {
      lines.push({ level, ...fields, msg });
    };
  const logger = Object.fromEntries(
    Object.entries(LEVELS).map(([name, level]) => [name, at(level)]),
  ) as unknown as Logger;
  return { logger, lines };
}

async function dispose(
  error: unknown,
): Promise<{ lines: Record<string, unknown>[]; deleted: number }> {
  const { logger, lines } = capturingLogger();
  let deleted = 0;
  const messages = {
    delete: () => {
      deleted++;
      return Promise.resolve();
    },
    setVisibility: () => Promise.resolve(),
    moveTo: () => Promise.resolve(),
  } as unknown as QueueMessages;
  const context: DeliveryContext = {
    messageId: 'm-1',
    receiveCount: 1,
    isLastAttempt: false,
    signal: new AbortController().signal,
    onHeartbeat: () => undefined,
    markLight: () => undefined,
    markFinishing: () => undefined,
    logger,
  };
  await disposeOfFailure(
    {
      handler: { handle: () => Promise.resolve() },
      messages,
      handlerOutage: new OutageLog(logger, 'handlers'),
      classify: (e) => (e instanceof InputFileError ? 'settle' : 'retry'),
    },
    { Body: '{}' },
    error,
    context,
  );
  return { lines, deleted };
}

describe('disposeOfFailure', () => {
  it('logs a user’s unreadable file at warn, with its reason and without a stack', async () => {
    const { lines, deleted } = await dispose(
      new InputFileError('file_not_csv', 'the file is a PNG image, not a CSV file'),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      msg: 'input file refused',
      code: 'file_not_csv',
      reason: 'the file is a PNG image, not a CSV file',
    });
    expect(lines[0]).not.toHaveProperty('err');
    expect(deleted).toBe(1);
  });

  it('still logs our own failures at error with the stack', async () => {
    const { lines } = await dispose(new Error('boom'));
    expect(lines[0]).toMatchObject({ level: 50, msg: 'message handler failed' });
    expect((lines[0]!.err as Error).stack).toContain('boom');
  });
});
