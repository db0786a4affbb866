import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** Namespace of the metrics the stack derives from the workers' logs. */
export const LOG_METRICS_NAMESPACE = 'Contacts';
/** Fewer calls than this in a period say nothing about the provider's health. */
export const MIN_CALLS_FOR_ERROR_RATE = 10;

export interface ProviderAlarmOptions {
  readonly logGroup: logs.ILogGroup;
  readonly provider: string;
  readonly topic: sns.ITopic;
  /** Share of failed calls that raises the alarm. */
  readonly threshold: number;
}

/**
 * Provider calls and failed calls, counted by log metric filters from the worker's
 * `providerCall` log line (one per HTTP call: no CloudWatch API call from the worker), and an
 * alarm on the share that failed: 5xx, 429, timeouts, dropped connections, refused keys.
 */
export function addProviderErrorRateAlarm(
  scope: Construct,
  id: string,
  options: ProviderAlarmOptions,
): cloudwatch.Alarm {
  const { logGroup, provider } = options;
  const period = Duration.minutes(5);
  const count = (name: string, pattern: string): cloudwatch.Metric =>
    new logs.MetricFilter(scope, `${id}${name}Filter`, {
      logGroup,
      metricNamespace: LOG_METRICS_NAMESPACE,
      metricName: `Provider${name}`,
      filterPattern: logs.FilterPattern.literal(pattern),
      metricValue: '1',
      defaultValue: 0,
    }).metric({ statistic: 'Sum', period, dimensionsMap: {} });
  const calls = count('Calls', `{ $.providerCall.provider = "${provider}" }`).with({
    label: `${provider} calls`,
  });
  const errors = count(
    'Errors',
    `{ $.providerCall.provider = "${provider}" && $.providerCall.outcome = "error" }`,
  ).with({ label: `${provider} failed calls` });
  const alarm = new cloudwatch.Alarm(scope, `${id}ErrorRate`, {
    alarmDescription:
      `More than ${Math.round(options.threshold * 100)} % of ${provider} calls failed ` +
      `(5xx, 429, timeouts, dropped connections, refused key) in 3 periods of 5 minutes running, ` +
      `with at least ${MIN_CALLS_FOR_ERROR_RATE} calls each. See docs/operations.md.`,
    metric: new cloudwatch.MathExpression({
      expression: `IF(calls >= ${MIN_CALLS_FOR_ERROR_RATE}, errors / calls, 0)`,
      usingMetrics: { calls, errors },
      period,
      label: `${provider} error rate`,
    }),
    threshold: options.threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(options.topic));
  alarm.addOkAction(new actions.SnsAction(options.topic));
  return alarm;
}
