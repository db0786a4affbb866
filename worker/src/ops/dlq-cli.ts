import { connectionHint, loadConfig, toolEnvironment } from '@contacts/shared';
import { runDlqCommand } from './dlq-command.ts';

// Against a running `npm start` without hand-set variables: its emulators' endpoints.
const tool = toolEnvironment(process.env);
const hint = connectionHint(tool, loadConfig(tool.env).emulators.dataDir);

/** Entry point of `npm run dlq`: the process around runDlqCommand. */
runDlqCommand(
  process.argv.slice(2),
  tool.env,
  {
    out: (text) => {
      process.stdout.write(`${text}\n`);
    },
    err: (text) => {
      process.stderr.write(`${text}\n`);
    },
  },
  hint,
).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
