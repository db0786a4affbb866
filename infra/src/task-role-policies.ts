import { Template } from 'aws-cdk-lib/assertions';
import { resourceNamesFor, type QueueRef, type TableRef, type TaskRole } from '@contacts/shared';
import { createContactsApp } from './contacts-app.ts';

/** An IAM policy document with every CloudFormation token replaced by its value. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/**
 * The synthesized stack's task-role policies and the ARNs of its data resources, resolved for
 * one account and region as if deployed there: what the roles would be allowed, in plain JSON.
 */
export interface TaskRolePolicies {
  readonly account: string;
  readonly region: string;
  readonly roles: Record<TaskRole, { readonly arn: string; readonly policy: PolicyDocument }>;
  readonly bucket: { readonly arn: string; readonly policy?: PolicyDocument };
  readonly queues: Record<QueueRef, { readonly arn: string; readonly policy?: PolicyDocument }>;
  readonly tables: Record<TableRef, { readonly arn: string }>;
}

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Resources = Record<string, Resource>;

const CONTAINER_OF_ROLE: Record<TaskRole, string> = { api: 'api', worker: 'worker' };

/**
 * Synthesizes the stack offline (as `cdk synth` would, default settings unless `context` says
 * otherwise) and resolves its task-role policies for `account` and `region`.
 */
export function taskRolePolicies(
  options: { account?: string; region?: string; context?: Record<string, unknown> } = {},
): TaskRolePolicies {
  const account = options.account ?? '111122223333';
  const region = options.region ?? 'us-east-1';
  const { stack, settings } = createContactsApp(options.context);
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  const resolve = tokenResolver(resources, account, region);

  const role = (taskRole: TaskRole): TaskRolePolicies['roles'][TaskRole] => {
    const roleId = taskRoleIdOf(resources, CONTAINER_OF_ROLE[taskRole]);
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => (r.Properties?.Roles as { Ref?: string }[]).some((ref) => ref.Ref === roleId))
      .flatMap((r) => (r.Properties?.PolicyDocument as PolicyDocument).Statement);
    return {
      arn: `arn:aws:iam::${account}:role/${roleId}`,
      policy: resolve({ Version: '2012-10-17', Statement: statements }) as PolicyDocument,
    };
  };

  const idOf = (type: string, match: (properties: Record<string, unknown>) => boolean): string => {
    const found = Object.entries(resources).find(
      ([, r]) => r.Type === type && match(r.Properties ?? {}),
    );
    if (found === undefined) throw new Error(`the stack has no ${type} that matches`);
    return found[0];
  };
  const policyOf = (type: string, targetsKey: string, id: string): PolicyDocument | undefined => {
    const policy = Object.values(resources).find(
      (r) => r.Type === type && JSON.stringify(r.Properties?.[targetsKey]).includes(`"${id}"`),
    );
    return policy === undefined
      ? undefined
      : (resolve(policy.Properties?.PolicyDocument) as PolicyDocument);
  };

  const bucketId = idOf('AWS::S3::Bucket', () => true);
  const names = resourceNamesFor(settings.prefix);
  const queue = (name: string): TaskRolePolicies['queues'][QueueRef] => {
    const id = idOf('AWS::SQS::Queue', (p) => p.QueueName === name);
    const policy = policyOf('AWS::SQS::QueuePolicy', 'Queues', id);
    return {
      arn: resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string,
      ...(policy === undefined ? {} : { policy }),
    };
  };
  const table = (name: string): TaskRolePolicies['tables'][TableRef] => ({
    arn: resolve({
      'Fn::GetAtt': [idOf('AWS::DynamoDB::Table', (p) => p.TableName === name), 'Arn'],
    }) as string,
  });
  const bucketPolicy = policyOf('AWS::S3::BucketPolicy', 'Bucket', bucketId);
  return {
    account,
    region,
    roles: { api: role('api'), worker: role('worker') },
    bucket: {
      arn: resolve({ 'Fn::GetAtt': [bucketId, 'Arn'] }) as string,
      ...(bucketPolicy === undefined ? {} : { policy: bucketPolicy }),
    },
    queues: {
      control: queue(names.controlQueue),
      controlDlq: queue(names.controlDlq),
      chunk: queue(names.chunkQueue),
      chunkDlq: queue(names.chunkDlq),
    },
    tables: {
      jobs: table(names.jobsTable),
      nicknames: table(names.nicknamesTable),
      providers: table(names.providersTable),
      connections: table(names.connectionsTable),
    },
  };
}

function taskRoleIdOf(resources: Resources, containerName: string): string {
  const taskDefinition = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::ECS::TaskDefinition' &&
      (r.Properties?.ContainerDefinitions as { Name: string }[]).some(
        (c) => c.Name === containerName,
      ),
  );
  const roleArn = taskDefinition?.Properties?.TaskRoleArn as
    { 'Fn::GetAtt': [string, string] } | undefined;
  if (roleArn === undefined) throw new Error(`no task role for container ${containerName}`);
  return roleArn['Fn::GetAtt'][0];
}

/**
 * Replaces Ref, Fn::GetAtt (Arn, QueueName) and Fn::Join with the values CloudFormation would
 * give them. A bucket without a name gets its logical id, lowercased (CloudFormation picks one).
 */
function tokenResolver(
  resources: Resources,
  account: string,
  region: string,
): (value: unknown) => unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const nameOf = (id: string): string => {
    const resource = resources[id];
    const p = resource?.Properties ?? {};
    switch (resource?.Type) {
      case 'AWS::S3::Bucket':
        return typeof p.BucketName === 'string' ? p.BucketName : id.toLowerCase();
      case 'AWS::SQS::Queue':
        return p.QueueName as string;
      case 'AWS::DynamoDB::Table':
        return p.TableName as string;
      default:
        return id;
    }
  };
  const getAtt = (id: string, attribute: string): string => {
    const type = resources[id]?.Type;
    const name = nameOf(id);
    if (attribute === 'Arn') {
      if (type === 'AWS::S3::Bucket') return `arn:aws:s3:::${name}`;
      if (type === 'AWS::SQS::Queue') return `arn:aws:sqs:${region}:${account}:${name}`;
      if (type === 'AWS::DynamoDB::Table') {
        return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      }
      if (type === 'AWS::IAM::Role') return `arn:aws:iam::${account}:role/${id}`;
      if (type === 'AWS::KMS::Key') return `arn:aws:kms:${region}:${account}:key/${id}`;
    }
    if (attribute === 'QueueName' && type === 'AWS::SQS::Queue') return name;
    throw new Error(`cannot resolve Fn::GetAtt ${id}.${attribute} (${type ?? 'unknown'})`);
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    if ('Ref' in object) {
      const ref = object.Ref as string;
      return pseudo[ref] ?? nameOf(ref);
    }
    if ('Fn::GetAtt' in object) {
      const [id, attribute] = object['Fn::GetAtt'] as [string, string];
      return getAtt(id, attribute);
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => String(resolve(part))).join(separator);
    }
    const intrinsic = Object.keys(object).find((key) => key.startsWith('Fn::'));
    if (intrinsic !== undefined) throw new Error(`cannot resolve ${intrinsic}`);
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}
