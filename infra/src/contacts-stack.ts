import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import {
  loadConfig,
  resourceDefinitions,
  type QueueDefinition,
  type TableDefinition,
} from '@contacts/shared';
import { createConnectionsKey, grantConnectionSecrets } from './connection-secrets.ts';
import { containerImageFrom } from './container-image.ts';
import { createFilesBucket } from './files-bucket.ts';
import { addQueueAlarms } from './queue-alarms.ts';
import { workerStopTimeoutSeconds, type ContactsSettings } from './settings.ts';
import { createTable } from './tables.ts';
import { grantTaskProtection, grantTaskRoleAccess } from './task-permissions.ts';
import {
  API_PORT,
  apiEnvironment,
  commonEnvironment,
  workerEnvironment,
} from './task-environment.ts';
import { addWorkerScaling } from './worker-scaling.ts';
import { createWorkQueue } from './work-queues.ts';

export interface ContactsStackProps extends StackProps {
  readonly settings: ContactsSettings;
}

/** Liveness probe run inside the api container (the image has node, not curl). */
const API_HEALTH_COMMAND = `fetch('http://127.0.0.1:${API_PORT}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;

/**
 * The whole deployment: bucket, queues and tables from the application's resource definitions,
 * the api on Fargate behind a load balancer, and the worker on Fargate scaled on queue backlog.
 */
export class ContactsStack extends Stack {
  constructor(scope: Construct, id: string, props: ContactsStackProps) {
    super(scope, id, props);
    const { settings } = props;

    // The same parser the processes use: a prefix or queue setting it rejects fails synthesis.
    const config = loadConfig({
      RESOURCE_PREFIX: settings.prefix,
      VISIBILITY_TIMEOUT_SECONDS: String(settings.visibilityTimeoutSeconds),
      MAX_RECEIVE_COUNT: String(settings.maxReceiveCount),
      SHUTDOWN_DEADLINE_SECONDS: String(settings.shutdownDeadlineSeconds),
    });
    const names = config.resources;
    const definitions = resourceDefinitions(names, config.queues);

    // Data.
    const bucket = createFilesBucket(this, 'Files', {
      definition: definitions.bucket,
      uploadRetentionDays: settings.uploadRetentionDays,
      resultRetentionDays: settings.resultRetentionDays,
    });
    const control = createWorkQueue(
      this,
      'ControlQueue',
      queueNamed(definitions.queues, names.controlQueue),
    );
    const chunk = createWorkQueue(
      this,
      'ChunkQueue',
      queueNamed(definitions.queues, names.chunkQueue),
    );
    const jobsTable = createTable(
      this,
      'JobsTable',
      tableNamed(definitions.tables, names.jobsTable),
    );
    const nicknamesTable = createTable(
      this,
      'NicknamesTable',
      tableNamed(definitions.tables, names.nicknamesTable),
    );
    const providersTable = createTable(
      this,
      'ProvidersTable',
      tableNamed(definitions.tables, names.providersTable),
    );
    const connectionsTable = createTable(
      this,
      'ConnectionsTable',
      tableNamed(definitions.tables, names.connectionsTable),
    );
    const data = {
      bucket,
      control,
      chunk,
      jobsTable,
      nicknamesTable,
      providersTable,
      connectionsTable,
    };

    // Network and cluster.
    const privateTasks = settings.natGateways > 0;
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: settings.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        ...(privateTasks
          ? [{ name: 'tasks', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 }]
          : []),
      ],
      // File bytes and job state stay off the NAT gateway.
      gatewayEndpoints: {
        s3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        dynamodb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    const taskSubnets = {
      subnetType: privateTasks ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC,
    };
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      // RunningTaskCount, the divisor of the worker's backlog-per-task metric.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const connectionsKey = createConnectionsKey(this);
    const common = {
      ...commonEnvironment(settings, names, bucket.bucketName),
      CONNECTIONS_KMS_KEY_ID: connectionsKey.keyArn,
    };
    const logRetention = retentionDays(settings.logRetentionDays);

    // Api.
    const apiLogs = new logs.LogGroup(this, 'ApiLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const apiTask = new ecs.FargateTaskDefinition(this, 'ApiTask', {
      cpu: settings.apiCpu,
      memoryLimitMiB: settings.apiMemoryMiB,
    });
    const apiKeys = secretsmanager.Secret.fromSecretNameV2(
      this,
      'ApiKeys',
      settings.apiKeysSecretName,
    );
    apiTask.addContainer('api', {
      image: containerImageFrom(this, 'ApiRepository', settings.apiImage),
      environment: apiEnvironment(common),
      secrets: { API_KEYS: ecs.Secret.fromSecretsManager(apiKeys) },
      portMappings: [{ containerPort: API_PORT }],
      logging: ecs.LogDrivers.awsLogs({ logGroup: apiLogs, streamPrefix: 'api' }),
      linuxParameters: new ecs.LinuxParameters(this, 'ApiLinux', { initProcessEnabled: true }),
      healthCheck: {
        command: ['CMD', 'node', '-e', API_HEALTH_COMMAND],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(20),
      },
    });
    grantTaskRoleAccess(apiTask.taskRole, 'api', data);
    grantConnectionSecrets(connectionsKey, apiTask.taskRole, 'api');
    const apiService = new ecs.FargateService(this, 'ApiService', {
      cluster,
      taskDefinition: apiTask,
      desiredCount: settings.apiDesiredCount,
      vpcSubnets: taskSubnets,
      assignPublicIp: !privateTasks,
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });

    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      dropInvalidHeaderFields: true,
      // Streamed uploads can pause while S3 catches up.
      idleTimeout: Duration.seconds(120),
    });
    const listener = this.addListener(alb, settings.certificateArn);
    listener.addTargets('Api', {
      port: API_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [apiService],
      deregistrationDelay: Duration.seconds(30),
      // Liveness, not readiness: when S3, SQS or DynamoDB is down every task is unready at once,
      // and a target group whose targets all fail would leave clients with the ALB's bare 502
      // instead of the API's 503 + Retry-After. /readyz stays for operators.
      healthCheck: {
        path: '/healthz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    // Worker.
    const workerLogs = new logs.LogGroup(this, 'WorkerLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const workerTask = new ecs.FargateTaskDefinition(this, 'WorkerTask', {
      cpu: settings.workerCpu,
      memoryLimitMiB: settings.workerMemoryMiB,
    });
    workerTask.addContainer('worker', {
      image: containerImageFrom(this, 'WorkerRepository', settings.workerImage),
      environment: workerEnvironment(common, settings),
      logging: ecs.LogDrivers.awsLogs({ logGroup: workerLogs, streamPrefix: 'worker' }),
      linuxParameters: new ecs.LinuxParameters(this, 'WorkerLinux', { initProcessEnabled: true }),
      // SIGTERM, then the worker's own deadline to finish or release messages, then SIGKILL.
      stopTimeout: Duration.seconds(workerStopTimeoutSeconds(settings)),
    });
    grantTaskRoleAccess(workerTask.taskRole, 'worker', data);
    grantConnectionSecrets(connectionsKey, workerTask.taskRole, 'worker');
    grantTaskProtection(workerTask.taskRole, cluster);
    const workerService = new ecs.FargateService(this, 'WorkerService', {
      cluster,
      taskDefinition: workerTask,
      vpcSubnets: taskSubnets,
      assignPublicIp: !privateTasks,
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });
    addWorkerScaling(this, 'WorkerScaling', {
      cluster,
      service: workerService,
      chunkQueue: chunk.queue,
      controlQueue: control.queue,
      minTasks: settings.workerMinTasks,
      maxTasks: settings.workerMaxTasks,
      backlogPerTask: settings.workerBacklogPerTask,
    });

    // Alarms.
    const alarmTopic = new sns.Topic(this, 'AlarmTopic', { enforceSSL: true });
    if (settings.alarmEmail !== undefined) {
      alarmTopic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));
    }
    for (const [alarmId, workQueue] of [
      ['Control', control],
      ['Chunk', chunk],
    ] as const) {
      addQueueAlarms(this, alarmId, workQueue, {
        topic: alarmTopic,
        oldestMessageAlarmSeconds: settings.oldestMessageAlarmSeconds,
      });
    }

    const scheme = settings.certificateArn === undefined ? 'http' : 'https';
    new CfnOutput(this, 'ApiUrl', { value: `${scheme}://${alb.loadBalancerDnsName}` });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
    new CfnOutput(this, 'WorkerServiceName', { value: workerService.serviceName });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn });
  }

  private addListener(
    alb: elbv2.ApplicationLoadBalancer,
    certificateArn: string | undefined,
  ): elbv2.ApplicationListener {
    if (certificateArn === undefined) return alb.addListener('Http', { port: 80, open: true });
    alb.addRedirect({ sourcePort: 80, targetPort: 443 });
    return alb.addListener('Https', {
      port: 443,
      open: true,
      certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    });
  }
}

function queueNamed(queues: readonly QueueDefinition[], name: string): QueueDefinition {
  const queue = queues.find((q) => q.name === name);
  if (queue === undefined) throw new Error(`no queue definition named ${name}`);
  return queue;
}

function tableNamed(tables: readonly TableDefinition[], name: string): TableDefinition {
  const table = tables.find((t) => t.name === name);
  if (table === undefined) throw new Error(`no table definition named ${name}`);
  return table;
}

function retentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter(
    (value): value is logs.RetentionDays => typeof value === 'number',
  );
  const match = allowed.find((value) => value.valueOf() === days);
  if (match === undefined) {
    throw new Error(`logRetentionDays must be one of ${allowed.join(', ')}; got ${days}`);
  }
  return match;
}
