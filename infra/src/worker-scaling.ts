import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface WorkerScalingOptions {
  readonly cluster: ecs.ICluster;
  readonly service: ecs.FargateService;
  readonly chunkQueue: sqs.IQueue;
  readonly controlQueue: sqs.IQueue;
  readonly minTasks: number;
  readonly maxTasks: number;
  /** Visible chunk messages per running task the policy keeps the service at. */
  readonly backlogPerTask: number;
}

/** Metric ids of the target-tracking math; the expression divides the first by the second. */
export const BACKLOG_METRIC_IDS = { visible: 'visible', tasks: 'tasks', backlog: 'backlogPerTask' };

/**
 * Scales the worker service on its chunk-queue backlog per running task (target tracking on
 * metric math). Target tracking multiplies the current task count, so it cannot leave zero; with
 * `minTasks` 0 a step policy starts the first task when either queue has work and none runs.
 */
export function addWorkerScaling(
  scope: Construct,
  id: string,
  options: WorkerScalingOptions,
): appscaling.ScalableTarget {
  const { cluster, service } = options;
  const target = new appscaling.ScalableTarget(scope, id, {
    serviceNamespace: appscaling.ServiceNamespace.ECS,
    resourceId: `service/${cluster.clusterName}/${service.serviceName}`,
    scalableDimension: 'ecs:service:DesiredCount',
    minCapacity: options.minTasks,
    maxCapacity: options.maxTasks,
  });
  target.node.addDependency(service);

  const serviceDimensions = [
    { name: 'ClusterName', value: cluster.clusterName },
    { name: 'ServiceName', value: service.serviceName },
  ];
  new appscaling.CfnScalingPolicy(scope, `${id}BacklogPerTask`, {
    policyName: 'worker-backlog-per-task',
    policyType: 'TargetTrackingScaling',
    scalingTargetId: target.scalableTargetId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: options.backlogPerTask,
      scaleOutCooldown: 60,
      // Scale-in is slow on purpose: protected tasks finish their messages first anyway.
      scaleInCooldown: 300,
      customizedMetricSpecification: {
        metrics: [
          {
            id: BACKLOG_METRIC_IDS.visible,
            metricStat: {
              metric: {
                namespace: 'AWS/SQS',
                metricName: 'ApproximateNumberOfMessagesVisible',
                dimensions: [{ name: 'QueueName', value: options.chunkQueue.queueName }],
              },
              stat: 'Sum',
            },
            returnData: false,
          },
          {
            id: BACKLOG_METRIC_IDS.tasks,
            metricStat: {
              metric: {
                namespace: 'ECS/ContainerInsights',
                metricName: 'RunningTaskCount',
                dimensions: serviceDimensions,
              },
              stat: 'Average',
            },
            returnData: false,
          },
          {
            id: BACKLOG_METRIC_IDS.backlog,
            expression: `${BACKLOG_METRIC_IDS.visible} / ${BACKLOG_METRIC_IDS.tasks}`,
            label: 'Visible chunk messages per running worker task',
            returnData: true,
          },
        ],
      },
    },
  });

  if (options.minTasks === 0) addScaleFromZero(scope, `${id}FromZero`, target, options);
  return target;
}

function addScaleFromZero(
  scope: Construct,
  id: string,
  target: appscaling.ScalableTarget,
  options: WorkerScalingOptions,
): void {
  const period = Duration.minutes(1);
  const waitingWithoutWorker = new cloudwatch.MathExpression({
    // A split message on the control queue must also wake the service, or no chunk is ever made.
    expression: 'IF((chunk + control) > 0 AND FILL(tasks, 0) < 1, 1, 0)',
    usingMetrics: {
      chunk: options.chunkQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: 'Maximum',
      }),
      control: options.controlQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: 'Maximum',
      }),
      tasks: new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName: 'RunningTaskCount',
        dimensionsMap: {
          ClusterName: options.cluster.clusterName,
          ServiceName: options.service.serviceName,
        },
        period,
        statistic: 'Average',
      }),
    },
    period,
    label: 'Work waiting and no worker running',
  });
  new appscaling.StepScalingPolicy(scope, id, {
    scalingTarget: target,
    metric: waitingWithoutWorker,
    adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
    scalingSteps: [
      { upper: 0, change: 0 },
      { lower: 1, change: 1 },
    ],
    evaluationPeriods: 1,
  });
}
