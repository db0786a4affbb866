import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import {
  BUCKET_ACTIONS,
  INDEX_ACCESS,
  KEY_AREA_ACCESS,
  KEY_AREAS,
  OBJECT_ACTIONS,
  QUEUE_ACCESS,
  QUEUE_ACTIONS,
  TABLE_ACCESS,
  type QueueRef,
  type TableRef,
  type TaskRole,
} from '@contacts/shared';
import type { WorkQueue } from './work-queues.ts';

/** The data resources the two task roles are scoped to. */
export interface DataResources {
  readonly bucket: s3.IBucket;
  readonly control: WorkQueue;
  readonly chunk: WorkQueue;
  readonly jobsTable: dynamodb.ITable;
  readonly nicknamesTable: dynamodb.ITable;
  readonly providersTable: dynamodb.ITable;
  readonly connectionsTable: dynamodb.ITable;
}

interface Grant {
  readonly action: string;
  readonly resource: string;
}

const entries = <K extends string, V>(record: Record<K, V>): [K, V][] =>
  Object.entries(record) as [K, V][];

function queueArn(data: DataResources, ref: QueueRef): string {
  const arns: Record<QueueRef, string> = {
    control: data.control.queue.queueArn,
    controlDlq: data.control.deadLetterQueue.queueArn,
    chunk: data.chunk.queue.queueArn,
    chunkDlq: data.chunk.deadLetterQueue.queueArn,
  };
  return arns[ref];
}

function tableArn(data: DataResources, ref: TableRef): string {
  const arns: Record<TableRef, string> = {
    jobs: data.jobsTable.tableArn,
    nicknames: data.nicknamesTable.tableArn,
    providers: data.providersTable.tableArn,
    connections: data.connectionsTable.tableArn,
  };
  return arns[ref];
}

/**
 * Every (action, resource) a role is granted, read off the access tables of
 * shared/src/task-access.ts: objects per key area, the bucket, each queue, each table and its
 * indexes.
 */
export function grantsOf(role: TaskRole, data: DataResources): Grant[] {
  const objects = entries(KEY_AREA_ACCESS).flatMap(([area, byRole]) =>
    byRole[role].flatMap((access) =>
      OBJECT_ACTIONS[access].map((action) => ({
        action,
        resource: data.bucket.arnForObjects(`${KEY_AREAS[area]}*`),
      })),
    ),
  );
  const bucket = BUCKET_ACTIONS[role].map((action) => ({
    action,
    resource: data.bucket.bucketArn,
  }));
  const queues = entries(QUEUE_ACCESS).flatMap(([ref, byRole]) =>
    byRole[role].flatMap((access) =>
      QUEUE_ACTIONS[access].map((action) => ({ action, resource: queueArn(data, ref) })),
    ),
  );
  const tables = entries(TABLE_ACCESS).flatMap(([ref, byRole]) =>
    byRole[role].map((action) => ({ action, resource: tableArn(data, ref) })),
  );
  const indexes = entries(INDEX_ACCESS).flatMap(([ref, byRole]) =>
    byRole[role].map((action) => ({ action, resource: `${tableArn(data, ref)}/index/*` })),
  );
  return [...objects, ...bucket, ...queues, ...tables, ...indexes];
}

/**
 * Few statements for many grants: the actions that apply to exactly the same resources share
 * one statement. CDK tokens are compared by their string form, which is stable in one stack.
 */
export function statementsOf(grants: readonly Grant[]): iam.PolicyStatement[] {
  const resourcesByAction = new Map<string, Set<string>>();
  for (const { action, resource } of grants) {
    const resources = resourcesByAction.get(action) ?? new Set<string>();
    resources.add(resource);
    resourcesByAction.set(action, resources);
  }
  const actionsByResources = new Map<string, { actions: string[]; resources: string[] }>();
  for (const [action, resources] of resourcesByAction) {
    const sorted = [...resources].sort();
    const key = JSON.stringify(sorted);
    const group = actionsByResources.get(key) ?? { actions: [], resources: sorted };
    group.actions.push(action);
    actionsByResources.set(key, group);
  }
  return [...actionsByResources.values()].map(
    ({ actions, resources }) => new iam.PolicyStatement({ actions, resources }),
  );
}

/** Grants a task role exactly what its process does (see shared/src/task-access.ts). */
export function grantTaskRoleAccess(
  role: iam.IRole,
  taskRole: TaskRole,
  data: DataResources,
): void {
  for (const statement of statementsOf(grantsOf(taskRole, data))) {
    role.addToPrincipalPolicy(statement);
  }
}

/**
 * The worker marks its own task protected from scale-in while it holds messages
 * (through the ECS agent endpoint in ECS_AGENT_URI), so scale-in never kills a busy task.
 */
export function grantTaskProtection(role: iam.IRole, cluster: ecs.ICluster): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
      resources: [
        Stack.of(cluster).formatArn({
          service: 'ecs',
          resource: 'task',
          resourceName: `${cluster.clusterName}/*`,
        }),
      ],
    }),
  );
}
