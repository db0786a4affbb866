import {
  AppError,
  connectToAws,
  createLogger,
  JobStore,
  loadConfig,
  type AppConfig,
} from '@contacts/shared';
import { DeadLetterQueues, deadLetterRoutes } from './dead-letter-queues.ts';
import { DLQ_USAGE, parseDlqArgs, UsageError, type DlqCommand } from './dlq-args.ts';
import { renderListing, renderRedrive, type QueueLabels } from './dlq-report.ts';

/** Where the command writes: results to `out`, problems to `err`. */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

const LIST_VISIBILITY_SECONDS = 5;

/**
 * `npm run dlq -- list|redrive …` with the worker's environment; returns the exit code: 0 done,
 * 1 something failed (a message not moved, AWS unreachable), 2 a bad command line.
 */
export async function runDlqCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  output: CommandOutput,
  /** Said after an error reaching AWS: where the settings came from, what may be missing. */
  connectionHint?: string,
): Promise<number> {
  let command: DlqCommand;
  try {
    command = parseDlqArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`error: ${error.message}\n${DLQ_USAGE}`);
    return 2;
  }
  if (command.action === 'help') {
    output.out(DLQ_USAGE);
    return 0;
  }
  try {
    return await execute(command, loadConfig(env), output);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    output.err(`error: ${explain(error)}`);
    if (connectionHint !== undefined) output.err(connectionHint);
    return 1;
  }
}

async function execute(
  command: Exclude<DlqCommand, { action: 'help' }>,
  config: AppConfig,
  output: CommandOutput,
): Promise<number> {
  const logger = createLogger({ level: config.logLevel, name: 'dlq' });
  // Looks the queues up only: an operator command never creates resources.
  const { clients, queueUrls } = await connectToAws(config, logger, {
    provision: false,
    // A command line should not wait a minute for an emulator that is not running.
    waitMs: 5_000,
    // Run with operator credentials, not a task role.
    recordAs: 'operator',
  });
  try {
    const jobs = new JobStore({ client: clients.dynamodb, table: config.resources.jobsTable });
    const queues = new DeadLetterQueues({
      sqs: clients.sqs,
      routes: deadLetterRoutes(queueUrls),
      jobStatus: async (jobId) => (await jobs.get(jobId))?.status,
      listVisibilitySeconds: LIST_VISIBILITY_SECONDS,
    });
    const labels: QueueLabels = {
      control: config.resources.controlDlq,
      chunks: config.resources.chunkDlq,
    };
    if (command.action === 'list') {
      const depths = await queues.depth(command.queue);
      const letters = await queues.list(command);
      output.out(
        command.json
          ? JSON.stringify({ depths, messages: letters }, null, 2)
          : renderListing({
              depths,
              letters,
              labels,
              listVisibilitySeconds: LIST_VISIBILITY_SECONDS,
            }),
      );
      return 0;
    }
    const results = await queues.redrive(command);
    output.out(command.json ? JSON.stringify(results, null, 2) : renderRedrive(results, labels));
    return results.some((result) => result.failed.length > 0) ? 1 : 0;
  } finally {
    clients.destroy();
  }
}

/** The error and its causes on one line: "queue x not found (…): AWS.SimpleQueueService…". */
function explain(error: Error): string {
  const parts = [error.message];
  let cause: unknown = error.cause;
  while (cause instanceof Error && parts.length < 4) {
    parts.push(cause.message);
    cause = cause.cause;
  }
  return parts.join(': ');
}
