/**
 * Deployment settings of the stack: everything an operator may change per environment, with
 * defaults that synthesize offline. Values come from CDK context (`cdk.json` or `-c key=value`).
 */
export interface ContactsSettings {
  /** RESOURCE_PREFIX of the application: queue and table names derive from it. */
  readonly prefix: string;
  /** Image URIs. An ECR URI gets pull permissions; anything else is pulled as a public image. */
  readonly apiImage: string;
  readonly workerImage: string;
  /** Name of the Secrets Manager secret whose plain-text value is API_KEYS (`tenant:key,…`). */
  readonly apiKeysSecretName: string;
  /**
   * Name of the Secrets Manager secret whose plain-text value is the People Data Labs API key
   * (PDL_API_KEY, workers only). Absent: no provider; jobs asking for one are refused.
   */
  readonly pdlApiKeySecretName?: string;
  /** PDL_REQUESTS_PER_MINUTE and PDL_MAX_CONCURRENCY: the account's limits, for the whole fleet. */
  readonly pdlRequestsPerMinute: number;
  readonly pdlMaxConcurrency: number;
  /** Alarm when more than this share of provider calls fail over 3 periods of 5 minutes. */
  readonly providerErrorRateAlarm: number;

  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** The worker's graceful-stop deadline; ECS stopTimeout is this plus a margin. */
  readonly shutdownDeadlineSeconds: number;

  readonly apiDesiredCount: number;
  readonly apiCpu: number;
  readonly apiMemoryMiB: number;
  readonly workerCpu: number;
  readonly workerMemoryMiB: number;
  readonly workerChunkConcurrency: number;
  /** 0 lets the worker service scale to zero when both queues are empty. */
  readonly workerMinTasks: number;
  readonly workerMaxTasks: number;
  /** Visible chunk messages one task is expected to have queued (target-tracking target). */
  readonly workerBacklogPerTask: number;

  readonly uploadRetentionDays: number;
  readonly resultRetentionDays: number;
  readonly logRetentionDays: number;
  /** Alarm when the oldest message of a work queue is older than this. */
  readonly oldestMessageAlarmSeconds: number;
  /** Subscribed to the alarm topic when set. */
  readonly alarmEmail?: string;
  /** ACM certificate for an HTTPS listener; plain HTTP only without it. */
  readonly certificateArn?: string;
  readonly natGateways: number;
}

/** Seconds between SIGTERM and the end of the worker's own deadline that ECS still waits. */
export const STOP_TIMEOUT_MARGIN_SECONDS = 5;
/** Fargate's upper bound for a container's stopTimeout. */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;

export const DEFAULT_SETTINGS: ContactsSettings = {
  prefix: 'contacts',
  apiImage: 'contacts-api:latest',
  workerImage: 'contacts-worker:latest',
  apiKeysSecretName: 'contacts/api-keys',
  pdlRequestsPerMinute: 100,
  pdlMaxConcurrency: 4,
  providerErrorRateAlarm: 0.2,
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  shutdownDeadlineSeconds: 25,
  apiDesiredCount: 2,
  apiCpu: 512,
  apiMemoryMiB: 1024,
  workerCpu: 1024,
  workerMemoryMiB: 2048,
  workerChunkConcurrency: 4,
  workerMinTasks: 1,
  workerMaxTasks: 10,
  workerBacklogPerTask: 8,
  uploadRetentionDays: 7,
  resultRetentionDays: 30,
  logRetentionDays: 30,
  oldestMessageAlarmSeconds: 900,
  natGateways: 1,
};

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Reads settings from a context lookup (`node.tryGetContext`); unknown values fall back to defaults. */
export function settingsFromContext(context: (key: string) => unknown): ContactsSettings {
  const text = (key: keyof ContactsSettings, fallback: string): string => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value !== 'string') throw new SettingsError(`context ${key} must be a string`);
    return value;
  };
  const integer = (key: keyof ContactsSettings, fallback: number): number => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return fallback;
    const parsed = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw new SettingsError(
        `context ${key} must be a non-negative integer, got ${JSON.stringify(value)}`,
      );
    }
    return parsed;
  };
  const d = DEFAULT_SETTINGS;
  const prefix = text('prefix', d.prefix);
  const alarmEmail = text('alarmEmail', '');
  const certificateArn = text('certificateArn', '');
  const pdlApiKeySecretName = text('pdlApiKeySecretName', '');
  const share = (key: keyof ContactsSettings, fallback: number): number => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return fallback;
    const parsed = typeof value === 'number' ? value : Number(value);
    if (!(parsed > 0 && parsed <= 1))
      throw new SettingsError(
        `context ${key} must be a share above 0 and at most 1, got ${JSON.stringify(value)}`,
      );
    return parsed;
  };
  return validateSettings({
    prefix,
    apiImage: text('apiImage', d.apiImage),
    workerImage: text('workerImage', d.workerImage),
    apiKeysSecretName: text('apiKeysSecretName', `${prefix}/api-keys`),
    pdlRequestsPerMinute: integer('pdlRequestsPerMinute', d.pdlRequestsPerMinute),
    pdlMaxConcurrency: integer('pdlMaxConcurrency', d.pdlMaxConcurrency),
    providerErrorRateAlarm: share('providerErrorRateAlarm', d.providerErrorRateAlarm),
    visibilityTimeoutSeconds: integer('visibilityTimeoutSeconds', d.visibilityTimeoutSeconds),
    maxReceiveCount: integer('maxReceiveCount', d.maxReceiveCount),
    shutdownDeadlineSeconds: integer('shutdownDeadlineSeconds', d.shutdownDeadlineSeconds),
    apiDesiredCount: integer('apiDesiredCount', d.apiDesiredCount),
    apiCpu: integer('apiCpu', d.apiCpu),
    apiMemoryMiB: integer('apiMemoryMiB', d.apiMemoryMiB),
    workerCpu: integer('workerCpu', d.workerCpu),
    workerMemoryMiB: integer('workerMemoryMiB', d.workerMemoryMiB),
    workerChunkConcurrency: integer('workerChunkConcurrency', d.workerChunkConcurrency),
    workerMinTasks: integer('workerMinTasks', d.workerMinTasks),
    workerMaxTasks: integer('workerMaxTasks', d.workerMaxTasks),
    workerBacklogPerTask: integer('workerBacklogPerTask', d.workerBacklogPerTask),
    uploadRetentionDays: integer('uploadRetentionDays', d.uploadRetentionDays),
    resultRetentionDays: integer('resultRetentionDays', d.resultRetentionDays),
    logRetentionDays: integer('logRetentionDays', d.logRetentionDays),
    oldestMessageAlarmSeconds: integer('oldestMessageAlarmSeconds', d.oldestMessageAlarmSeconds),
    natGateways: integer('natGateways', d.natGateways),
    ...(alarmEmail === '' ? {} : { alarmEmail }),
    ...(certificateArn === '' ? {} : { certificateArn }),
    ...(pdlApiKeySecretName === '' ? {} : { pdlApiKeySecretName }),
  });
}

/** Rejects combinations that would deploy but misbehave; returns the settings unchanged. */
export function validateSettings(settings: ContactsSettings): ContactsSettings {
  const stopTimeout = settings.shutdownDeadlineSeconds + STOP_TIMEOUT_MARGIN_SECONDS;
  if (stopTimeout > FARGATE_MAX_STOP_TIMEOUT_SECONDS) {
    throw new SettingsError(
      `shutdownDeadlineSeconds must be at most ${FARGATE_MAX_STOP_TIMEOUT_SECONDS - STOP_TIMEOUT_MARGIN_SECONDS} (Fargate stops containers after ${FARGATE_MAX_STOP_TIMEOUT_SECONDS} s)`,
    );
  }
  if (settings.workerMaxTasks < 1 || settings.workerMaxTasks < settings.workerMinTasks) {
    throw new SettingsError('workerMaxTasks must be at least 1 and at least workerMinTasks');
  }
  if (settings.workerBacklogPerTask < 1) {
    throw new SettingsError('workerBacklogPerTask must be at least 1');
  }
  if (settings.pdlRequestsPerMinute < 1 || settings.pdlMaxConcurrency < 1) {
    throw new SettingsError('pdlRequestsPerMinute and pdlMaxConcurrency must be at least 1');
  }
  if (settings.uploadRetentionDays < 1 || settings.resultRetentionDays < 1) {
    throw new SettingsError('uploadRetentionDays and resultRetentionDays must be at least 1');
  }
  return settings;
}

/** ECS stopTimeout of the worker container: its shutdown deadline plus a margin to exit. */
export function workerStopTimeoutSeconds(settings: ContactsSettings): number {
  return settings.shutdownDeadlineSeconds + STOP_TIMEOUT_MARGIN_SECONDS;
}
