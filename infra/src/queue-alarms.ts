import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { WorkQueue } from './work-queues.ts';

export interface QueueAlarmOptions {
  readonly topic: sns.ITopic;
  readonly oldestMessageAlarmSeconds: number;
}

/**
 * Two alarms per work queue: any message in its DLQ (a job is stuck and someone must look),
 * and the oldest waiting message getting too old (workers are down or far behind).
 */
export function addQueueAlarms(
  scope: Construct,
  id: string,
  workQueue: WorkQueue,
  options: QueueAlarmOptions,
): cloudwatch.Alarm[] {
  const period = Duration.minutes(5);
  const dlqDepth = new cloudwatch.Alarm(scope, `${id}DlqDepth`, {
    alarmDescription: `Messages in ${workQueue.definition.deadLetterQueue}: they failed ${workQueue.definition.maxReceiveCount} times.`,
    metric: workQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period,
      statistic: 'Maximum',
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const oldestMessage = new cloudwatch.Alarm(scope, `${id}OldestMessage`, {
    alarmDescription: `Oldest message in ${workQueue.definition.name} older than ${options.oldestMessageAlarmSeconds} s.`,
    metric: workQueue.queue.metricApproximateAgeOfOldestMessage({
      period,
      statistic: 'Maximum',
    }),
    threshold: options.oldestMessageAlarmSeconds,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const alarms = [dlqDepth, oldestMessage];
  for (const alarm of alarms) {
    alarm.addAlarmAction(new actions.SnsAction(options.topic));
    alarm.addOkAction(new actions.SnsAction(options.topic));
  }
  return alarms;
}
