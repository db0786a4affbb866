import { parseArgs } from 'node:util';
import { AppError } from '@contacts/shared';
import { z } from 'zod';
import { DEAD_LETTER_QUEUES, type QueueSelection } from './dead-letter-queues.ts';

export const DLQ_USAGE = [
  'usage: npm run dlq -- list [--queue chunks|control|all] [--max N] [--json]',
  '       npm run dlq -- redrive [--queue chunks|control|all] [--max N] [--job ID] [--json]',
].join('\n');

export type DlqCommand =
  | { readonly action: 'help' }
  | {
      readonly action: 'list';
      readonly queue: QueueSelection;
      readonly max: number;
      readonly json: boolean;
    }
  | {
      readonly action: 'redrive';
      readonly queue: QueueSelection;
      /** Infinity unless bounded: a redrive moves everything that matches. */
      readonly max: number;
      readonly jobId?: string;
      readonly json: boolean;
    };

/** The command line does not describe a command; the CLI prints the usage and exits 2. */
export class UsageError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage_invalid', message, options);
  }
}

const LIST_DEFAULT_MAX = 100;

const flags = z.object({
  queue: z.enum([...DEAD_LETTER_QUEUES, 'all'], { error: '--queue is chunks, control or all' }),
  max: z.coerce
    .number({ error: '--max is a whole number of messages' })
    .int('--max is a whole number of messages')
    .positive('--max is at least 1')
    .optional(),
  job: z.uuid({ error: '--job is a job id (a UUID)' }).optional(),
  json: z.boolean(),
  help: z.boolean(),
});

/** Parses `list|redrive [options]`; throws UsageError with a one-line reason. */
export function parseDlqArgs(argv: readonly string[]): DlqCommand {
  const [action, ...rest] = argv;
  if (action === undefined) throw new UsageError('missing command: list or redrive');
  if (action === '--help' || action === '-h' || action === 'help') return { action: 'help' };
  if (action !== 'list' && action !== 'redrive')
    throw new UsageError(`unknown command "${action}": use list or redrive`);
  const options = parseFlags(rest);
  if (options.help) return { action: 'help' };
  if (action === 'list') {
    if (options.job !== undefined) throw new UsageError('--job applies to redrive only');
    return {
      action,
      queue: options.queue,
      max: options.max ?? LIST_DEFAULT_MAX,
      json: options.json,
    };
  }
  return {
    action,
    queue: options.queue,
    max: options.max ?? Number.POSITIVE_INFINITY,
    ...(options.job === undefined ? {} : { jobId: options.job }),
    json: options.json,
  };
}

function parseFlags(args: readonly string[]): z.infer<typeof flags> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        queue: { type: 'string', default: 'all' },
        max: { type: 'string' },
        job: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    // node:util reports unknown flags, missing values and stray words with a clear message.
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const parsed = flags.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}
