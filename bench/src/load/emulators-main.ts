import { startHarness } from '@contacts/e2e';

/**
 * The emulators, with every resource of the prefix in argv[2] provisioned, in a process of their
 * own, so the load generator does not share their event loop. Prints the environment that points
 * the services at them as one JSON line; stops on SIGTERM.
 */
const prefix = process.argv[2] ?? 'bench-load';
const harness = await startHarness({ prefix, env: { LOG_LEVEL: 'silent' } });
process.stdout.write(`${JSON.stringify(harness.emulators.env)}\n`);
const stop = (): void => {
  void harness.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
