import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskRolePolicies } from '@contacts/infra';
import { POLICIES_FILE } from './check-harness-calls.ts';
import { checkCalls, describeDenials, readCallLog } from './simulate-calls.ts';

/**
 * Vitest global setup of the integration tests: every api and worker started by the harness (or
 * as a child process) records its AWS calls into one directory. Each harness evaluates its own
 * calls against the synthesized task-role policies when it closes (failing its test file), and
 * at the end every call is evaluated once more. A call its role may not make fails the run,
 * named with the role, the action and the resource.
 */
export default function setup(): () => Promise<void> {
  // A directory given by the caller is kept afterwards, to read the calls.
  const given = process.env.AWS_CALL_LOG_DIR;
  const dir = given ?? mkdtempSync(join(tmpdir(), 'aws-calls-'));
  // Set before the test processes start, so they and the workers they spawn inherit it.
  process.env.AWS_CALL_LOG_DIR = dir;
  // Synthesized once; each harness checks its own calls against it when it closes.
  const policies = taskRolePolicies();
  writeFileSync(join(dir, POLICIES_FILE), JSON.stringify(policies));
  return async () => {
    try {
      // What no harness checked: calls made after a harness closed, or outside one.
      const calls = readCallLog(dir);
      if (calls.length === 0) return;
      const check = await checkCalls(calls, policies);
      if (check.denied.length > 0) {
        // Vitest logs an error thrown here but still exits 0: fail the run explicitly.
        process.exitCode = 1;
        throw new Error(
          `${check.denied.length} AWS call(s) of the integration tests are denied by the ` +
            `synthesized task-role policies (grant them in shared/src/task-access.ts):\n` +
            describeDenials(check.denied),
        );
      }
    } finally {
      if (given === undefined) rmSync(dir, { recursive: true, force: true });
    }
  };
}
