import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DLQ_RETENTION_SECONDS,
  indexProjection,
  KEY_AREA_ACCESS,
  DIRECTORY_INDEX_RETENTION_DAYS,
  KEY_AREAS,
  OBJECT_ACTIONS,
  TASK_ROLES,
  type KeyArea,
  type TaskRole,
  loadConfig,
  WORK_OBJECT_RETENTION_DAYS,
  queueAttributes,
  resourceDefinitions,
  type ResourceDefinitions,
} from '@contacts/shared';
import { createContactsApp, STACK_ID } from '../src/contacts-app.ts';
import { taskRolePolicies } from '../src/task-role-policies.ts';
import { queuePropertiesFrom } from '../src/work-queues.ts';
import { configEnvNames } from './support/config-env-names.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

interface Synthesized {
  readonly template: Template;
  readonly resources: Resources;
}

function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const { stack } = createContactsApp(context);
  const template = Template.fromStack(stack);
  return { template, resources: template.toJSON().Resources as Resources };
}

function logicalIdOf(
  resources: Resources,
  type: string,
  match: (props: Record<string, unknown>) => boolean,
): string {
  const found = Object.entries(resources).find(([, r]) => r.Type === type && match(r.Properties));
  if (found === undefined) throw new Error(`no ${type} matching`);
  return found[0];
}

/** Every statement of the inline policies attached to a role. */
function statementsOfRole(resources: Resources, roleId: string): Record<string, unknown>[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === roleId))
    .flatMap(
      (r) => (r.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
}

function actionsOf(statement: Record<string, unknown>): string[] {
  const action = statement.Action as string | string[];
  return Array.isArray(action) ? action : [action];
}

function taskRoleOf(resources: Resources, containerName: string): string {
  const taskDefinition = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::ECS::TaskDefinition' &&
      (r.Properties.ContainerDefinitions as { Name: string }[]).some(
        (c) => c.Name === containerName,
      ),
  );
  const roleArn = taskDefinition?.Properties.TaskRoleArn as { 'Fn::GetAtt': [string, string] };
  return roleArn['Fn::GetAtt'][0];
}

function containerOf(resources: Resources, name: string): Record<string, unknown> {
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ECS::TaskDefinition') continue;
    const container = (r.Properties.ContainerDefinitions as Record<string, unknown>[]).find(
      (c) => c.Name === name,
    );
    if (container !== undefined) return container;
  }
  throw new Error(`no container ${name}`);
}

function environmentOf(container: Record<string, unknown>): Record<string, unknown> {
  const entries = container.Environment as { Name: string; Value: unknown }[];
  return Object.fromEntries(entries.map((e) => [e.Name, e.Value]));
}

describe('ContactsStack with default settings', () => {
  let template: Template;
  let resources: Resources;
  let definitions: ResourceDefinitions;

  beforeAll(() => {
    ({ template, resources } = synthesize());
    const config = loadConfig({});
    definitions = resourceDefinitions(config.resources, config.queues);
  });

  it('synthesizes one environment-agnostic stack without AWS credentials', () => {
    const { app } = createContactsApp();
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName)).toEqual([STACK_ID]);
    expect(assembly.stacks[0]!.environment.account).toBe('unknown-account');
  });

  it('keeps the bucket private, encrypted and reachable over TLS only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Deny',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      },
    });
    // Nothing grants access to everyone.
    for (const r of Object.values(resources).filter((x) => x.Type === 'AWS::S3::BucketPolicy')) {
      const statements = (r.Properties.PolicyDocument as { Statement: { Effect: string }[] })
        .Statement;
      expect(statements.every((s) => s.Effect === 'Deny')).toBe(true);
    }
  });

  it('applies the shared CORS rule and expires each key area on its own schedule', () => {
    const [rule] = definitions.bucket.cors;
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [
          {
            AllowedMethods: rule!.allowedMethods,
            AllowedOrigins: rule!.allowedOrigins,
            AllowedHeaders: rule!.allowedHeaders,
            ExposedHeaders: rule!.exposeHeaders,
            MaxAge: rule!.maxAgeSeconds,
          },
        ],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'work/',
            ExpirationInDays: WORK_OBJECT_RETENTION_DAYS,
            Status: 'Enabled',
          }),
          Match.objectLike({ Prefix: 'uploads/', ExpirationInDays: 7 }),
          Match.objectLike({ Prefix: 'results/', ExpirationInDays: 30 }),
          Match.objectLike({
            Prefix: 'directory-indexes/',
            ExpirationInDays: DIRECTORY_INDEX_RETENTION_DAYS,
          }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
  });

  it('keeps work/ objects longer than any dead-letter queue keeps a message', () => {
    // A chunk or merge redriven on the last day of its DLQ retention still finds the parts.
    const dlqRetentions = Object.values(resources)
      .filter(
        (r) => r.Type === 'AWS::SQS::Queue' && String(r.Properties.QueueName).endsWith('-dlq'),
      )
      .map((r) => Number(r.Properties.MessageRetentionPeriod));
    expect(dlqRetentions).toHaveLength(2);
    const bucket = Object.values(resources).find((r) => r.Type === 'AWS::S3::Bucket');
    const rules = (
      bucket?.Properties.LifecycleConfiguration as {
        Rules: { Prefix?: string; ExpirationInDays?: number }[];
      }
    ).Rules;
    const workDays = rules.find((rule) => rule.Prefix === 'work/')?.ExpirationInDays ?? 0;
    expect(workDays * 24 * 3600).toBeGreaterThanOrEqual(Math.max(...dlqRetentions) + 24 * 3600);
  });

  it('creates every work queue with the attributes and redrive policy the app provisions', () => {
    expect(definitions.queues).toHaveLength(2);
    for (const queue of definitions.queues) {
      const dlqId = logicalIdOf(
        resources,
        'AWS::SQS::Queue',
        (p) => p.QueueName === queue.deadLetterQueue,
      );
      const expected = queuePropertiesFrom(queueAttributes(queue, 'arn'));
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: queue.name,
        VisibilityTimeout: expected.visibilityTimeoutSeconds,
        MessageRetentionPeriod: expected.retentionSeconds,
        ReceiveMessageWaitTimeSeconds: expected.receiveWaitSeconds,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: queue.maxReceiveCount,
        },
        SqsManagedSseEnabled: true,
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: queue.deadLetterQueue,
        MessageRetentionPeriod: DLQ_RETENTION_SECONDS,
      });
    }
    // Both queues and both DLQs refuse plain HTTP.
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      },
      4,
    );
  });

  it('creates the tables on demand with point-in-time recovery, TTL and the index on jobs', () => {
    for (const table of definitions.tables) {
      const indexes = table.indexes ?? [];
      const keys = [table.partitionKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: table.name,
        KeySchema: [{ AttributeName: table.partitionKey, KeyType: 'HASH' }],
        AttributeDefinitions: [...new Set(keys)].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        ...(indexes.length === 0
          ? {}
          : {
              GlobalSecondaryIndexes: indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' },
                ],
                Projection: indexProjection(index),
              })),
            }),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        ...(table.ttlAttribute === undefined
          ? {}
          : { TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true } }),
      });
    }
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  it('scales the worker on visible chunk messages per running task', () => {
    const chunkQueueId = logicalIdOf(
      resources,
      'AWS::SQS::Queue',
      (p) => p.QueueName === 'contacts-chunks',
    );
    const workerServiceId = logicalIdOf(resources, 'AWS::ECS::Service', (p) =>
      JSON.stringify(p.TaskDefinition).includes('WorkerTask'),
    );
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 1,
      MaxCapacity: 10,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 8,
        CustomizedMetricSpecification: {
          Metrics: [
            {
              Id: 'visible',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/SQS',
                  MetricName: 'ApproximateNumberOfMessagesVisible',
                  Dimensions: [
                    { Name: 'QueueName', Value: { 'Fn::GetAtt': [chunkQueueId, 'QueueName'] } },
                  ],
                },
              },
              ReturnData: false,
            },
            {
              Id: 'tasks',
              MetricStat: {
                Metric: {
                  Namespace: 'ECS/ContainerInsights',
                  MetricName: 'RunningTaskCount',
                  Dimensions: Match.arrayWith([
                    { Name: 'ServiceName', Value: { 'Fn::GetAtt': [workerServiceId, 'Name'] } },
                  ]),
                },
              },
              ReturnData: false,
            },
            { Id: 'backlogPerTask', Expression: 'visible / tasks', ReturnData: true },
          ],
        },
      },
    });
    // RunningTaskCount only exists with Container Insights.
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    // No step policy: with at least one task, target tracking alone is enough.
    template.resourcePropertiesCountIs(
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      { PolicyType: 'StepScaling' },
      0,
    );
  });

  it('gives the worker a stop timeout above its shutdown deadline', () => {
    const worker = containerOf(resources, 'worker');
    const deadline = Number(environmentOf(worker).SHUTDOWN_DEADLINE_SECONDS);
    expect(deadline).toBe(25);
    expect(worker.StopTimeout).toBeGreaterThanOrEqual(deadline + 5);
    expect(worker.StopTimeout).toBeLessThanOrEqual(120);
    expect(worker.LinuxParameters).toMatchObject({ InitProcessEnabled: true });
  });

  it('configures the tasks only with variables of the config schema and the stack’s names', () => {
    const known = configEnvNames();
    const names = loadConfig({}).resources;
    const bucketId = logicalIdOf(resources, 'AWS::S3::Bucket', () => true);
    for (const name of ['api', 'worker']) {
      const container = containerOf(resources, name);
      const environment = environmentOf(container);
      const secrets = (container.Secrets as { Name: string }[] | undefined) ?? [];
      for (const variable of [...Object.keys(environment), ...secrets.map((s) => s.Name)]) {
        expect(known, `${name}: ${variable}`).toContain(variable);
      }
      expect(environment).toMatchObject({
        BUCKET_NAME: { Ref: bucketId },
        CONTROL_QUEUE_NAME: names.controlQueue,
        CHUNK_QUEUE_NAME: names.chunkQueue,
        JOBS_TABLE: names.jobsTable,
        NICKNAMES_TABLE: names.nicknamesTable,
        PROVIDERS_TABLE: names.providersTable,
        WEBHOOKS_TABLE: names.webhooksTable,
        CONNECTIONS_TABLE: names.connectionsTable,
        PROVISION_RESOURCES: 'false',
      });
      // The AWS call recorder is for tests only.
      expect(environment).not.toHaveProperty('AWS_CALL_LOG_DIR');
    }
    expect(environmentOf(containerOf(resources, 'api'))).toMatchObject({
      HOST: '0.0.0.0',
      PORT: '3000',
    });
    expect(containerOf(resources, 'api').Secrets).toEqual([
      expect.objectContaining({ Name: 'API_KEYS' }),
      expect.objectContaining({ Name: 'WEBHOOK_SECRET_KEY' }),
    ]);
    // The worker opens the sealed webhook secrets to sign deliveries.
    expect(containerOf(resources, 'worker').Secrets).toEqual([
      expect.objectContaining({ Name: 'WEBHOOK_SECRET_KEY' }),
    ]);
  });

  it('scopes the worker task role to the bucket, the queues, the tables, the connections key and task protection', () => {
    const statements = statementsOfRole(resources, taskRoleOf(resources, 'worker'));
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining(['ecs:UpdateTaskProtection', 'sqs:ReceiveMessage']),
    );
    const dataIds = Object.entries(resources)
      .filter(([, r]) =>
        ['AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::KMS::Key'].includes(
          r.Type,
        ),
      )
      .map(([id]) => id);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      const targets = [statement.Resource].flat().map((target) => JSON.stringify(target));
      for (const target of targets) {
        const scoped =
          dataIds.some((id) => target.includes(`"${id}"`)) || target.includes(':task/');
        expect(scoped, `${actionsOf(statement).join(',')} on ${target}`).toBe(true);
      }
    }
    const protection = statements.find((s) => actionsOf(s).includes('ecs:UpdateTaskProtection'));
    expect(JSON.stringify(protection?.Resource)).toContain(':task/');
  });

  it('scopes the api task role to its key areas, the control queue and the jobs table', () => {
    const statements = statementsOfRole(resources, taskRoleOf(resources, 'api'));
    const actions = statements.flatMap(actionsOf);
    expect(actions).not.toContain('sqs:ReceiveMessage');
    expect(actions).not.toContain('sqs:DeleteMessage');
    expect(actions).not.toContain('ecs:UpdateTaskProtection');
    const controlQueueId = logicalIdOf(
      resources,
      'AWS::SQS::Queue',
      (p) => p.QueueName === 'contacts-control',
    );
    const send = statements.find((s) => actionsOf(s).includes('sqs:SendMessage'));
    expect(send?.Resource).toEqual({ 'Fn::GetAtt': [controlQueueId, 'Arn'] });
    for (const statement of statements) {
      for (const target of [statement.Resource].flat()) expect(target).not.toBe('*');
    }
  });

  it('lets the api seal connection secrets and only the worker open them (KMS)', () => {
    // The IAM simulation of the integration suite covers S3, SQS and DynamoDB; the KMS grants
    // are proven here, on the synthesized policies.
    const keyId = logicalIdOf(resources, 'AWS::KMS::Key', () => true);
    expect(resources[keyId]?.Properties).toMatchObject({ EnableKeyRotation: true });
    const kmsActions = (role: string): { actions: string[]; resources: string[] } => {
      const statements = statementsOfRole(resources, taskRoleOf(resources, role)).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('kms:')),
      );
      return {
        actions: statements.flatMap(actionsOf).sort(),
        resources: statements.flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r))),
      };
    };
    const api = kmsActions('api');
    const worker = kmsActions('worker');
    expect(api.actions).toEqual(['kms:GenerateDataKey']);
    expect(worker.actions).toEqual(['kms:Decrypt']);
    for (const target of [...api.resources, ...worker.resources])
      expect(target).toBe(JSON.stringify({ 'Fn::GetAtt': [keyId, 'Arn'] }));
    for (const name of ['api', 'worker'])
      expect(environmentOf(containerOf(resources, name)).CONNECTIONS_KMS_KEY_ID).toEqual({
        'Fn::GetAtt': [keyId, 'Arn'],
      });
  });

  it('grants each role in each key area exactly the actions of the access table', () => {
    const policies = taskRolePolicies();
    for (const role of TASK_ROLES) {
      const statements = policies.roles[role].policy.Statement;
      for (const [area, prefix] of Object.entries(KEY_AREAS)) {
        const pattern = `${policies.bucket.arn}/${prefix}*`;
        const granted = statements
          .filter((s) => [s.Resource].flat().includes(pattern))
          .flatMap(actionsOf)
          .sort();
        const expected = KEY_AREA_ACCESS[area as KeyArea][role]
          .flatMap((access) => OBJECT_ACTIONS[access])
          .sort();
        expect(granted, `${role} on ${prefix}`).toEqual(expected);
      }
      // Objects only by key area: no grant on the whole bucket's objects.
      const objectPatterns = statements
        .flatMap((s) => [s.Resource].flat() as string[])
        .filter((target) => target.startsWith(`${policies.bucket.arn}/`));
      for (const target of objectPatterns) {
        expect(Object.values(KEY_AREAS).map((p) => `${policies.bucket.arn}/${p}*`)).toContain(
          target,
        );
      }
    }
  });

  it('lets the api delete only chunk parts and the worker only chunk parts and results', () => {
    const policies = taskRolePolicies();
    const deletable = (role: TaskRole): unknown[] =>
      policies.roles[role].policy.Statement.filter((s) =>
        actionsOf(s).includes('s3:DeleteObject'),
      ).flatMap((s) => [s.Resource].flat());
    expect(deletable('api')).toEqual([`${policies.bucket.arn}/work/*`]);
    expect(deletable('worker').sort()).toEqual(
      [`${policies.bucket.arn}/results/*`, `${policies.bucket.arn}/work/*`].sort(),
    );
  });

  it('serves the api behind a load balancer that probes liveness (/healthz), not readiness', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3000,
      HealthCheckPath: '/healthz',
      TargetType: 'ip',
    });
    // A dependency outage makes /readyz fail on every task at once: the API must stay in the
    // target group to answer 503 + Retry-After itself.
    template.resourcePropertiesCountIs(
      'AWS::ElasticLoadBalancingV2::TargetGroup',
      { HealthCheckPath: '/readyz' },
      0,
    );
    expect(JSON.stringify(containerOf(resources, 'api').HealthCheck)).toContain('/healthz');
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
    });
  });

  it('keeps logs for the configured retention', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 2);
  });

  it('alarms on DLQ depth and on the age of the oldest message of each queue', () => {
    for (const queue of definitions.queues) {
      const dlqId = logicalIdOf(
        resources,
        'AWS::SQS::Queue',
        (p) => p.QueueName === queue.deadLetterQueue,
      );
      const queueId = logicalIdOf(resources, 'AWS::SQS::Queue', (p) => p.QueueName === queue.name);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [Match.anyValue()],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: 900,
      });
    }
  });
});

describe('ContactsStack with other settings', () => {
  it('starts the first worker from zero when a queue has work and none runs', () => {
    const { template } = synthesize({ workerMinTasks: '0', workerMaxTasks: '20' });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 0,
      MaxCapacity: 20,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF((chunk + control) > 0 AND FILL(tasks, 0) < 1, 1, 0)' }),
      ]),
    });
  });

  it('gives the PDL key to the worker only, as an ECS secret its execution role may read', () => {
    const { template, resources } = synthesize({ pdlApiKeySecretName: 'contacts/pdl-api-key' });
    const worker = containerOf(resources, 'worker');
    // Beside the webhook signing key every worker gets.
    expect(worker.Secrets).toEqual([
      { Name: 'WEBHOOK_SECRET_KEY', ValueFrom: expect.anything() },
      {
        Name: 'PDL_API_KEY',
        ValueFrom: { 'Fn::Join': ['', expect.arrayContaining([':secret:contacts/pdl-api-key'])] },
      },
    ]);
    expect(environmentOf(worker)).not.toHaveProperty('PDL_API_KEY');
    expect(environmentOf(worker)).toMatchObject({
      PDL_REQUESTS_PER_MINUTE: '100',
      PDL_MAX_CONCURRENCY: '4',
    });
    // The api never calls PDL: it learns that jobs may ask for it, without the key.
    const api = containerOf(resources, 'api');
    expect(environmentOf(api)).toMatchObject({ PDL_ENABLED: 'true' });
    expect(JSON.stringify(api)).not.toContain('pdl-api-key');
    // Read once at task start by the execution role, not by the application's task role.
    const executionRoleId = (
      Object.values(resources).find(
        (r) =>
          r.Type === 'AWS::ECS::TaskDefinition' &&
          (r.Properties.ContainerDefinitions as { Name: string }[]).some(
            (c) => c.Name === 'worker',
          ),
      )?.Properties.ExecutionRoleArn as { 'Fn::GetAtt': [string, string] }
    )['Fn::GetAtt'][0];
    const reads = statementsOfRole(resources, executionRoleId).filter((st) =>
      actionsOf(st).includes('secretsmanager:GetSecretValue'),
    );
    expect(JSON.stringify(reads)).toContain(':secret:contacts/pdl-api-key');
    const taskRoleActions = statementsOfRole(resources, taskRoleOf(resources, 'worker')).flatMap(
      actionsOf,
    );
    expect(taskRoleActions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    // Cached answers and limiter items expire through TTL.
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: loadConfig({}).resources.providersTable,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('alarms on the share of failed PDL calls, counted from the worker’s providerCall log lines', () => {
    const { template, resources } = synthesize({
      pdlApiKeySecretName: 'contacts/pdl-api-key',
      providerErrorRateAlarm: '0.25',
    });
    const workerLogs = (
      containerOf(resources, 'worker').LogConfiguration as { Options: Record<string, unknown> }
    ).Options['awslogs-group'];
    for (const [name, pattern] of [
      ['ProviderCalls', '{ $.providerCall.provider = "pdl" }'],
      ['ProviderErrors', '{ $.providerCall.provider = "pdl" && $.providerCall.outcome = "error" }'],
    ]) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: workerLogs,
        FilterPattern: pattern,
        MetricTransformations: [
          Match.objectLike({ MetricName: name, MetricNamespace: 'Contacts', MetricValue: '1' }),
        ],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.25,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      AlarmActions: [Match.anyValue()],
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(calls >= 10, errors / calls, 0)' }),
      ]),
    });
  });

  it('leaves the provider out without a PDL key secret', () => {
    const { template, resources } = synthesize();
    expect(containerOf(resources, 'worker').Secrets).toEqual([
      { Name: 'WEBHOOK_SECRET_KEY', ValueFrom: expect.anything() },
    ]);
    expect(environmentOf(containerOf(resources, 'api'))).toMatchObject({ PDL_ENABLED: 'false' });
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
  });

  it('derives queue names from the prefix and the stop timeout from the deadline', () => {
    const { template, resources } = synthesize({
      prefix: 'contacts-staging',
      shutdownDeadlineSeconds: '55',
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'contacts-staging-chunks' });
    template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'contacts-staging-jobs' });
    expect(containerOf(resources, 'worker').StopTimeout).toBe(60);
  });

  it('pulls images from a private ECR repository with pull permissions', () => {
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/contacts-worker:1.2.3';
    const { resources } = synthesize({ workerImage: image });
    expect(JSON.stringify(containerOf(resources, 'worker').Image)).toContain(
      'contacts-worker:1.2.3',
    );
    const policies = JSON.stringify(
      Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy'),
    );
    expect(policies).toContain('ecr:BatchGetImage');
    expect(policies).toContain('repository/contacts-worker');
  });

  it('adds an HTTPS listener and redirects HTTP when a certificate is given', () => {
    const { template } = synthesize({
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect' })],
    });
  });

  it('rejects settings that would deploy but misbehave', () => {
    expect(() => synthesize({ shutdownDeadlineSeconds: '119' })).toThrow(/shutdownDeadlineSeconds/);
    expect(() => synthesize({ workerMinTasks: '5', workerMaxTasks: '2' })).toThrow(
      /workerMaxTasks/,
    );
    expect(() => synthesize({ prefix: 'Not_Valid' })).toThrow(/RESOURCE_PREFIX/);
    expect(() => synthesize({ logRetentionDays: '31' })).toThrow(/logRetentionDays/);
  });
});
