import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskRolePolicies } from '@contacts/infra';
import type { ResourceNames } from '@contacts/shared';
import { checkCalls, describeDenials, readCallLog } from './simulate-calls.ts';

/** Where the global setup leaves the synthesized policies for the harnesses to check against. */
export const POLICIES_FILE = 'task-role-policies.json';

/**
 * Fails when a call recorded against these resources (one harness's api and workers, in this
 * process or in worker processes) is not allowed to its role. A no-op without a call log or
 * without the policies the global setup writes next to it.
 */
export async function checkHarnessCalls(
  callLogDir: string | undefined,
  names: ResourceNames,
): Promise<void> {
  if (callLogDir === undefined || !existsSync(join(callLogDir, POLICIES_FILE))) return;
  const policies = JSON.parse(
    readFileSync(join(callLogDir, POLICIES_FILE), 'utf8'),
  ) as TaskRolePolicies;
  const ours = new Set<string>(Object.values(names));
  const calls = readCallLog(callLogDir).filter((call) => ours.has(call.name));
  const check = await checkCalls(calls, policies);
  if (check.denied.length > 0) {
    throw new Error(
      `${check.denied.length} AWS call(s) are denied by the synthesized task-role policies ` +
        `(grant them in shared/src/task-access.ts):\n${describeDenials(check.denied)}`,
    );
  }
}
