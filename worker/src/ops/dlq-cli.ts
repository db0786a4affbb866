import { runDlqCommand } from './dlq-command.ts';

/** Entry point of `npm run dlq`: the process around runDlqCommand. */
runDlqCommand(process.argv.slice(2), process.env, {
  out: (text) => {
    process.stdout.write(`${text}\n`);
  },
  err: (text) => {
    process.stderr.write(`${text}\n`);
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
