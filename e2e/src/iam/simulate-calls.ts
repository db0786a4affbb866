import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { TASK_ROLES, type AwsCall, type TaskRole } from '@contacts/shared';
import type { PolicyDocument, TaskRolePolicies } from '@contacts/infra';

/**
 * Checks recorded AWS calls against the synthesized task-role policies with an IAM policy
 * simulator: each distinct (role, action, resource) must be allowed for the role that made it.
 */

/** A recorded call the role's policies do not allow, with why. */
export interface DeniedCall {
  readonly call: AwsCall;
  /** The ARN the call was evaluated against (empty when it maps to no stack resource). */
  readonly resource: string;
  /** `ImplicitlyDenied`, `ExplicitlyDenied`, or what kept the call from being evaluated. */
  readonly outcome: string;
}

export interface CallCheck {
  readonly denied: readonly DeniedCall[];
  /** Distinct requests that were evaluated (and allowed or denied). */
  readonly evaluated: number;
  /** Calls of roles that are no task role (`operator`: the DLQ tool under operator credentials). */
  readonly notTaskRole: readonly AwsCall[];
}

/** Every call recorded in the JSONL files of `dir` (see `callLogSink`). */
export function readCallLog(dir: string): AwsCall[] {
  const files = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
  return files.flatMap((name) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as AwsCall),
  );
}

const isTaskRole = (role: string): role is TaskRole =>
  (TASK_ROLES as readonly string[]).includes(role);

/** The stack ARN a call addresses: the test's resource names mapped to the stack's by role. */
export function resourceArnOf(call: AwsCall, policies: TaskRolePolicies): string | undefined {
  const { target } = call;
  if (target === 'unknown') return undefined;
  if (target === 'bucket') {
    return call.key === undefined ? policies.bucket.arn : `${policies.bucket.arn}/${call.key}`;
  }
  if (
    target === 'jobs' ||
    target === 'nicknames' ||
    target === 'providers' ||
    target === 'connections'
  ) {
    const table = policies.tables[target].arn;
    return call.index === undefined ? table : `${table}/index/${call.index}`;
  }
  return policies.queues[target].arn;
}

function resourcePolicyOf(call: AwsCall, policies: TaskRolePolicies): PolicyDocument | undefined {
  if (call.target === 'bucket') return policies.bucket.policy;
  if (
    call.target === 'jobs' ||
    call.target === 'nicknames' ||
    call.target === 'providers' ||
    call.target === 'connections' ||
    call.target === 'unknown'
  ) {
    return undefined;
  }
  return policies.queues[call.target].policy;
}

/** Evaluates each distinct call of a task role; denials name the call, the role and the ARN. */
export async function checkCalls(
  calls: readonly AwsCall[],
  policies: TaskRolePolicies,
): Promise<CallCheck> {
  const denied: DeniedCall[] = [];
  const notTaskRole: AwsCall[] = [];
  const seen = new Set<string>();
  for (const call of calls) {
    if (!isTaskRole(call.role)) {
      notTaskRole.push(call);
      continue;
    }
    const resource = resourceArnOf(call, policies);
    if (resource === undefined) {
      denied.push({ call, resource: '', outcome: `${call.name} is no resource of the stack` });
      continue;
    }
    const id = `${call.role} ${call.action} ${resource}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const outcome = await simulate(
      call.role,
      call.action,
      resource,
      resourcePolicyOf(call, policies),
      policies,
    );
    if (outcome !== 'Allowed') denied.push({ call, resource, outcome });
  }
  return { denied, evaluated: seen.size, notTaskRole };
}

async function simulate(
  role: TaskRole,
  action: string,
  resource: string,
  resourcePolicy: PolicyDocument | undefined,
  policies: TaskRolePolicies,
): Promise<string> {
  const simulation: Simulation = {
    identityPolicies: [{ name: `${role}-task-role`, policy: policies.roles[role].policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
    request: {
      principal: policies.roles[role].arn,
      action,
      resource: { resource, accountId: policies.account },
      // The SDK always calls over TLS; the bucket and queue policies deny anything else.
      contextVariables: { 'aws:SecureTransport': 'true' },
    },
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    return `not evaluated: ${JSON.stringify(response.errors)}`;
  }
  return response.overallResult;
}

/** `role action resource-pattern`, one per grant of the role's policy. */
export function grantsOf(role: TaskRole, policies: TaskRolePolicies): string[] {
  return policies.roles[role].policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => {
    const actions = [s.Action].flat() as string[];
    const resources = [s.Resource].flat() as string[];
    return actions.flatMap((action) =>
      resources.map((resource) => `${role} ${action} ${resource}`),
    );
  });
}

/**
 * The grants no recorded call used: `role action resource-pattern` for each action and resource
 * pattern of the task-role policies that matched none of the calls.
 */
export function unusedGrants(calls: readonly AwsCall[], policies: TaskRolePolicies): string[] {
  const used = calls
    .filter((call) => isTaskRole(call.role))
    .map((call) => `${call.role} ${call.action} ${resourceArnOf(call, policies) ?? ''}`);
  return TASK_ROLES.flatMap((role) => grantsOf(role, policies)).filter((grant) => {
    // IAM wildcards: `*` is any run of characters, `?` any one.
    const pattern = new RegExp(
      `^${grant
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    return !used.some((call) => pattern.test(call));
  });
}

/**
 * One line per role, action, resource and outcome, with the first such call as the example:
 * keys differ per job, so denials in one key area are counted rather than listed.
 */
export function describeDenials(denied: readonly DeniedCall[]): string {
  const groups = new Map<string, { first: DeniedCall; count: number }>();
  for (const denial of denied) {
    const { call, resource, outcome } = denial;
    const area = call.key === undefined ? resource : resource.replace(/^(.+?\/[^/]+\/).*$/, '$1*');
    const id = `${call.role} ${call.action} ${area} ${outcome}`;
    const group = groups.get(id);
    if (group === undefined) groups.set(id, { first: denial, count: 1 });
    else group.count++;
  }
  return [...groups.values()]
    .map(({ first: { call, resource, outcome }, count }) => {
      const where = [call.name, call.key, call.index]
        .filter((part) => part !== undefined)
        .join(' ');
      const how = call.presigned === true ? `a presigned ${call.command}` : call.command;
      const more = count > 1 ? ` and ${count - 1} more in the same area` : '';
      return `${call.role} may not ${call.action} on ${resource || '?'} (${how} on ${where}${more}): ${outcome}`;
    })
    .join('\n');
}
