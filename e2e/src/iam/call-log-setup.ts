import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskRolePolicies } from '@contacts/infra';
import { checkCalls, describeDenials, readCallLog } from './simulate-calls.ts';

/**
 * Vitest global setup of the integration tests: every api and worker started by the harness (or
 * as a child process) records its AWS calls into one directory, and at the end each distinct
 * call is evaluated against the synthesized task-role policies. A call its role may not make
 * fails the run, named with the role, the action and the resource.
 */
export default function setup(): () => Promise<void> {
  // A directory given by the caller is kept afterwards, to read the calls.
  const given = process.env.AWS_CALL_LOG_DIR;
  const dir = given ?? mkdtempSync(join(tmpdir(), 'aws-calls-'));
  // Set before the test processes start, so they and the workers they spawn inherit it.
  process.env.AWS_CALL_LOG_DIR = dir;
  return async () => {
    try {
      const calls = readCallLog(dir);
      if (calls.length === 0) return;
      const check = await checkCalls(calls, taskRolePolicies());
      if (check.denied.length > 0) {
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
