import { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * The one place that reads the environment. Every process parses it once at start-up and hands
 * typed pieces of it to the modules that need them.
 */

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const positiveInt = z.coerce.number().int().positive();
const url = z.url();

const tenantId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'tenant ids are lowercase letters, digits and dashes');

/** `API_KEYS=tenant:key,tenant2:key2` — a tenant may have several keys. */
const apiKeys = z.string().transform((raw, ctx) => {
  const entries: { tenantId: string; key: string }[] = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const separator = part.indexOf(':');
    const tenant = part.slice(0, separator);
    const key = part.slice(separator + 1);
    if (separator < 1 || !tenantId.safeParse(tenant).success || key.length < 16) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected tenant:key pairs separated by commas (keys at least 16 characters)',
      });
      return z.NEVER;
    }
    entries.push({ tenantId: tenant, key });
  }
  return entries;
});

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Static credentials (emulators, LocalStack); on AWS leave unset and the task role is used. */
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_ENDPOINT_URL: url.optional(),
  AWS_ENDPOINT_URL_S3: url.optional(),
  AWS_ENDPOINT_URL_SQS: url.optional(),
  AWS_ENDPOINT_URL_DYNAMODB: url.optional(),
  /** Where browsers reach S3 when it differs from where the services do (compose, tunnels). */
  S3_PUBLIC_ENDPOINT: url.optional(),
  S3_FORCE_PATH_STYLE: booleanFromEnv.optional(),
  /**
   * Tests only: append every AWS call the api or worker makes (as IAM action and resource) to
   * JSONL files in this directory, for the IAM-simulation check. Unset everywhere else.
   */
  AWS_CALL_LOG_DIR: z.string().min(1).optional(),

  RESOURCE_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes, 2-41 characters')
    .default('contacts'),
  BUCKET_NAME: z.string().min(3).optional(),
  CONTROL_QUEUE_NAME: z.string().min(1).optional(),
  CHUNK_QUEUE_NAME: z.string().min(1).optional(),
  JOBS_TABLE: z.string().min(3).optional(),
  NICKNAMES_TABLE: z.string().min(3).optional(),
  PROVIDERS_TABLE: z.string().min(3).optional(),
  WEBHOOKS_TABLE: z.string().min(3).optional(),
  CONNECTIONS_TABLE: z.string().min(3).optional(),
  /** Create missing resources at start-up (embedded default, LocalStack); off on AWS. */
  PROVISION_RESOURCES: booleanFromEnv.default(false),

  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  API_KEYS: apiKeys.default([]),
  MAX_UPLOAD_BYTES: positiveInt.default(1024 * 1024 * 1024),
  UPLOAD_URL_TTL_SECONDS: positiveInt.max(7 * 24 * 3600).default(900),
  RESULT_URL_TTL_SECONDS: positiveInt.max(7 * 24 * 3600).default(3600),
  DEFAULT_CHUNK_ROWS: positiveInt.max(100_000).default(5000),
  /** Sustained requests per second per API key, and the burst above it. */
  RATE_LIMIT_PER_SECOND: positiveInt.default(50),
  RATE_LIMIT_BURST: positiveInt.default(100),
  /** How often one API process reads a job that event streams watch (one read for all of them). */
  SSE_POLL_INTERVAL_MS: positiveInt.min(50).max(60_000).default(1000),
  /** Comment line sent on idle event streams; well under the load balancer's 60 s idle timeout. */
  SSE_HEARTBEAT_MS: positiveInt.min(10).max(50_000).default(15_000),
  /** Lifetime of the signed token that lets a browser's EventSource open a job's event stream. */
  SSE_TOKEN_TTL_SECONDS: positiveInt.max(24 * 3600).default(900),

  CHUNK_CONCURRENCY: positiveInt.max(64).default(4),
  /**
   * Page fetches a worker runs besides its CHUNK_CONCURRENCY messages: a fetch waits on
   * Mailchimp, not the CPU, and ten run at once per account across the fleet.
   */
  FETCH_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(10),
  CONTROL_CONCURRENCY: positiveInt.max(16).default(2),
  /**
   * Largest data row a chunk reads, in bytes (4 MiB). A longer row is rejected unread, so one
   * hostile line cannot take a worker's memory; a 1 MB field still fits.
   */
  MAX_ROW_BYTES: positiveInt.default(4 * 1024 * 1024),
  POLL_WAIT_SECONDS: z.coerce.number().int().min(0).max(20).default(20),
  VISIBILITY_TIMEOUT_SECONDS: positiveInt.max(43_200).default(60),
  MAX_RECEIVE_COUNT: positiveInt.max(1000).default(5),
  SHUTDOWN_DEADLINE_SECONDS: positiveInt.max(3600).default(25),
  /**
   * Memory the worker's directory indexes may take together, in MiB (estimated; least recently
   * used out). A quarter of the default 2 GiB task; an index larger than this is not kept.
   */
  ENRICHER_CACHE_MAX_MB: positiveInt.max(1024 * 1024).default(512),
  /**
   * A directory index build's lease (seconds), renewed every third of it while the worker
   * builds: a dead builder delays the others at most this long. Longer than any stretch the
   * build keeps the event loop busy (learning the model), or a live builder loses its lease.
   */
  DIRECTORY_INDEX_LEASE_SECONDS: positiveInt.max(3600).default(120),
  /**
   * Longest a chunk waits in process (its message kept visible) for another worker's index
   * build before its message is deferred (seconds).
   */
  DIRECTORY_INDEX_WAIT_SECONDS: positiveInt.max(43_200).default(900),
  /**
   * How long a provider's answer is reused (seconds; 7 days): a redelivered chunk, a retried
   * batch or a duplicate contact costs nothing more within this time.
   */
  PROVIDER_CACHE_TTL_SECONDS: positiveInt.max(365 * 86_400).default(7 * 86_400),
  /** How often each worker looks for stalled jobs; 0 turns the watchdog off. */
  WATCHDOG_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /**
   * A running job whose item has not changed for this long is stalled. Well above the visibility
   * timeout, so a killed worker's message comes back on its own before the watchdog steps in.
   */
  STALL_AFTER_SECONDS: positiveInt.max(7 * 86_400).default(900),
  /** Repairs (re-sent split or merge, redriven chunk messages) per job before it fails `stalled`. */
  MAX_AUTO_REPAIRS: z.coerce.number().int().min(0).max(100).default(3),
  /** Set by ECS in every task; its presence turns on scale-in protection while busy. */
  ECS_AGENT_URI: url.optional(),

  /** People Data Labs bulk person enrichment (paid per match, rate limited per key). */
  PDL_API_URL: url.default('https://api.peopledatalabs.com'),
  /** A secret: never logged, returned or stored. Without it no job can use provider `pdl`. */
  PDL_API_KEY: z.string().min(1).optional(),
  /**
   * Whether jobs may ask for provider `pdl`, for an api that runs without the key (only the
   * workers call PDL). Default: whether PDL_API_KEY is set in this process.
   */
  PDL_ENABLED: booleanFromEnv.optional(),
  /** PDL bulk requests per minute for the whole fleet (PDL's limit is per key, per minute). */
  PDL_REQUESTS_PER_MINUTE: positiveInt.max(100_000).default(100),
  /** PDL requests in flight at once, fleet-wide. */
  PDL_MAX_CONCURRENCY: positiveInt.max(64).default(4),
  /** Lookups per bulk request; PDL takes 100 at most and advises fewer against 502s. */
  PDL_BATCH_SIZE: positiveInt.max(100).default(80),
  /** How long a killed worker's provider concurrency slot stays taken, at most. */
  PROVIDER_SLOT_LEASE_SECONDS: positiveInt.max(600).default(6),
  /** PDL answers a weaker match as a free 404 instead of a billed 200. */
  PDL_MIN_LIKELIHOOD: z.coerce.number().int().min(1).max(10).default(6),

  /**
   * A secret: 32+ random characters. Encrypts webhook signing secrets at rest; without it the webhook
   * routes answer 503 and deliveries are not made.
   */
  WEBHOOK_SECRET_KEY: z.string().min(32, 'at least 32 characters of random text').optional(),
  /** Hosts webhooks may target although they resolve to private or loopback addresses. */
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .transform((raw) =>
      raw
        .split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
    )
    .default([]),
  WEBHOOK_TIMEOUT_MS: positiveInt.max(60_000).default(15_000),
  /** Waits before each retry of a failed delivery, in seconds (Standard Webhooks' schedule). */
  WEBHOOK_RETRY_SCHEDULE_SECONDS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'comma-separated whole seconds')
    .transform((raw) => raw.split(',').map(Number))
    .refine((delays) => delays.length <= 20, 'at most 20 retries')
    .default([5, 300, 1800, 7200, 18_000, 36_000, 36_000]),
  /** Mailchimp Marketing API: the simulator or a proxy; default `https://<dc>.api.mailchimp.com`. */
  MAILCHIMP_API_URL: url.optional(),
  /** One Mailchimp call (each try) gives up after this long. */
  MAILCHIMP_TIMEOUT_SECONDS: positiveInt.max(900).default(120),
  /** Connections per Mailchimp account across the fleet (Mailchimp allows 10). */
  MAILCHIMP_MAX_CONNECTIONS: positiveInt.max(10).default(10),

  /**
   * KMS key (id, ARN or alias) that seals connection secrets (envelope encryption). Unset: a
   * local key file seals them (embedded default, tests).
   */
  CONNECTIONS_KMS_KEY_ID: z.string().min(1).optional(),
  /** The local sealing key (32 random bytes, mode 0600), created when missing. */
  CONNECTIONS_KEY_FILE: z.string().min(1).optional(),

  /** Embedded emulators (`npm start`, `npm run emulators`). Containers bind 0.0.0.0. */
  EMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  EMULATOR_S3_SQS_PORT: z.coerce.number().int().min(0).max(65535).default(4566),
  EMULATOR_DYNAMODB_PORT: z.coerce.number().int().min(0).max(65535).default(4567),
  DATA_DIR: z.string().min(1).default('.data'),
});

export type Env = z.infer<typeof envSchema>;

export interface AwsConfig {
  readonly region: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly endpoints: { readonly s3?: string; readonly sqs?: string; readonly dynamodb?: string };
  readonly s3PublicEndpoint?: string;
  readonly s3ForcePathStyle: boolean;
  /** Where to record AWS calls (tests only); absent in every deployment. */
  readonly callLogDir?: string;
}

export interface ResourceNames {
  readonly bucket: string;
  readonly controlQueue: string;
  readonly controlDlq: string;
  readonly chunkQueue: string;
  readonly chunkDlq: string;
  readonly jobsTable: string;
  readonly nicknamesTable: string;
  /** Third-party provider state: the fleet-wide request limiter and the response cache. */
  readonly providersTable: string;
  /** Webhook endpoints, one item per tenant. */
  readonly webhooksTable: string;
  /** Tenants' connections to outside services (Mailchimp), secrets sealed. */
  readonly connectionsTable: string;
}

export interface QueueSettings {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

export interface ApiConfig {
  readonly host: string;
  readonly port: number;
  readonly apiKeys: readonly { readonly tenantId: string; readonly key: string }[];
  readonly maxUploadBytes: number;
  readonly uploadUrlTtlSeconds: number;
  readonly resultUrlTtlSeconds: number;
  readonly defaultChunkRows: number;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly events: EventStreamConfig;
}

/** Server-sent events of jobs (GET /v1/jobs/{id}/events). */
export interface EventStreamConfig {
  readonly pollIntervalMs: number;
  readonly heartbeatMs: number;
  readonly tokenTtlSeconds: number;
}

export interface WorkerConfig {
  /** ECS agent endpoint (task scale-in protection); absent outside ECS. */
  readonly ecsAgentUri?: string;
  readonly chunkConcurrency: number;
  /** Page fetches run beyond chunkConcurrency (light: waiting on Mailchimp). */
  readonly fetchConcurrency: number;
  readonly controlConcurrency: number;
  /** Data rows longer than this are rejected without being read. */
  readonly maxRowBytes: number;
  readonly pollWaitSeconds: number;
  readonly shutdownDeadlineSeconds: number;
  /** Estimated bytes of directory indexes a worker keeps in memory at once. */
  readonly enricherCacheMaxBytes: number;
  /** Lifetime of a cached provider answer. */
  readonly providerCacheTtlSeconds: number;
  readonly directoryIndex: DirectoryIndexConfig;
  readonly watchdog: WatchdogConfig;
}

/** Building directory index artifacts: one builder per version, the others wait for it. */
export interface DirectoryIndexConfig {
  readonly leaseSeconds: number;
  readonly waitSeconds: number;
}

export interface WatchdogConfig {
  /** 0: off. */
  readonly intervalSeconds: number;
  readonly stallAfterSeconds: number;
  readonly maxRepairs: number;
}

/** People Data Labs. `apiKey` is a secret: never log this object whole. */
export interface PdlConfig {
  readonly apiUrl: string;
  /** Absent: this process cannot call the provider. */
  readonly apiKey?: string;
  /** Jobs may ask for this provider (the workers have its key); the api checks this. */
  readonly enabled: boolean;
  readonly requestsPerMinute: number;
  readonly maxConcurrency: number;
  readonly batchSize: number;
  readonly minLikelihood: number;
  /** A held concurrency slot's lease, renewed every third of it (PROVIDER_SLOT_LEASE_SECONDS). */
  readonly slotLeaseSeconds: number;
}

export interface ProvidersConfig {
  readonly pdl: PdlConfig;
}

/** Webhook endpoints and deliveries. `secretKey` is a secret: never log this object whole. */
export interface WebhookConfig {
  readonly secretKey?: string;
  readonly allowedHosts: readonly string[];
  readonly timeoutMs: number;
  readonly retryScheduleSeconds: readonly number[];
}

/** Mailchimp calls: where, how long, how many at once per account. */
export interface MailchimpConfig {
  /** Absent: `https://<dc>.api.mailchimp.com` from each key's data center. */
  readonly apiUrl?: string;
  readonly timeoutMs: number;
  readonly maxConnections: number;
}

/** How connection secrets are sealed at rest: KMS when a key is named, else a local key file. */
export interface SecretsConfig {
  readonly kmsKeyId?: string;
  readonly keyFile: string;
}

export interface EmulatorConfig {
  readonly host: string;
  readonly s3SqsPort: number;
  readonly dynamodbPort: number;
  readonly dataDir: string;
}

export interface AppConfig {
  readonly env: Env['NODE_ENV'];
  readonly logLevel: Env['LOG_LEVEL'];
  readonly aws: AwsConfig;
  readonly resources: ResourceNames;
  readonly queues: QueueSettings;
  readonly provisionResources: boolean;
  readonly api: ApiConfig;
  readonly worker: WorkerConfig;
  readonly providers: ProvidersConfig;
  readonly webhooks: WebhookConfig;
  readonly mailchimp: MailchimpConfig;
  readonly secrets: SecretsConfig;
  readonly emulators: EmulatorConfig;
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Record<string, string | undefined>): AppConfig {
  const parsed = envSchema.safeParse(withoutEmptyValues(environment));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return fromEnv(parsed.data);
}

/** Names of all resources derived from one prefix; each can be overridden on its own. */
export function resourceNamesFor(
  prefix: string,
  overrides: Partial<ResourceNames> = {},
): ResourceNames {
  const controlQueue = overrides.controlQueue ?? `${prefix}-control`;
  const chunkQueue = overrides.chunkQueue ?? `${prefix}-chunks`;
  return {
    bucket: overrides.bucket ?? `${prefix}-files`,
    controlQueue,
    controlDlq: overrides.controlDlq ?? `${controlQueue}-dlq`,
    chunkQueue,
    chunkDlq: overrides.chunkDlq ?? `${chunkQueue}-dlq`,
    jobsTable: overrides.jobsTable ?? `${prefix}-jobs`,
    nicknamesTable: overrides.nicknamesTable ?? `${prefix}-nicknames`,
    providersTable: overrides.providersTable ?? `${prefix}-providers`,
    webhooksTable: overrides.webhooksTable ?? `${prefix}-webhooks`,
    connectionsTable: overrides.connectionsTable ?? `${prefix}-connections`,
  };
}

function fromEnv(env: Env): AppConfig {
  const endpoint = (specific: string | undefined): string | undefined =>
    specific ?? env.AWS_ENDPOINT_URL;
  const endpoints = {
    ...optional('s3', endpoint(env.AWS_ENDPOINT_URL_S3)),
    ...optional('sqs', endpoint(env.AWS_ENDPOINT_URL_SQS)),
    ...optional('dynamodb', endpoint(env.AWS_ENDPOINT_URL_DYNAMODB)),
  };
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    aws: {
      region: env.AWS_REGION,
      ...optional(
        'credentials',
        env.AWS_ACCESS_KEY_ID !== undefined && env.AWS_SECRET_ACCESS_KEY !== undefined
          ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
          : undefined,
      ),
      endpoints,
      ...optional('s3PublicEndpoint', env.S3_PUBLIC_ENDPOINT),
      // Emulators serve buckets by path; real S3 prefers virtual-hosted style.
      s3ForcePathStyle: env.S3_FORCE_PATH_STYLE ?? endpoints.s3 !== undefined,
      ...optional('callLogDir', env.AWS_CALL_LOG_DIR),
    },
    resources: resourceNamesFor(env.RESOURCE_PREFIX, {
      ...optional('bucket', env.BUCKET_NAME),
      ...optional('controlQueue', env.CONTROL_QUEUE_NAME),
      ...optional('chunkQueue', env.CHUNK_QUEUE_NAME),
      ...optional('jobsTable', env.JOBS_TABLE),
      ...optional('nicknamesTable', env.NICKNAMES_TABLE),
      ...optional('providersTable', env.PROVIDERS_TABLE),
      ...optional('webhooksTable', env.WEBHOOKS_TABLE),
      ...optional('connectionsTable', env.CONNECTIONS_TABLE),
    }),
    queues: {
      visibilityTimeoutSeconds: env.VISIBILITY_TIMEOUT_SECONDS,
      maxReceiveCount: env.MAX_RECEIVE_COUNT,
    },
    provisionResources: env.PROVISION_RESOURCES,
    api: {
      host: env.HOST,
      port: env.PORT,
      apiKeys: env.API_KEYS,
      maxUploadBytes: env.MAX_UPLOAD_BYTES,
      uploadUrlTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
      resultUrlTtlSeconds: env.RESULT_URL_TTL_SECONDS,
      defaultChunkRows: env.DEFAULT_CHUNK_ROWS,
      rateLimit: { perSecond: env.RATE_LIMIT_PER_SECOND, burst: env.RATE_LIMIT_BURST },
      events: {
        pollIntervalMs: env.SSE_POLL_INTERVAL_MS,
        heartbeatMs: env.SSE_HEARTBEAT_MS,
        tokenTtlSeconds: env.SSE_TOKEN_TTL_SECONDS,
      },
    },
    worker: {
      ...optional('ecsAgentUri', env.ECS_AGENT_URI),
      chunkConcurrency: env.CHUNK_CONCURRENCY,
      fetchConcurrency: env.FETCH_CONCURRENCY,
      controlConcurrency: env.CONTROL_CONCURRENCY,
      maxRowBytes: env.MAX_ROW_BYTES,
      pollWaitSeconds: env.POLL_WAIT_SECONDS,
      shutdownDeadlineSeconds: env.SHUTDOWN_DEADLINE_SECONDS,
      enricherCacheMaxBytes: env.ENRICHER_CACHE_MAX_MB * 1024 * 1024,
      providerCacheTtlSeconds: env.PROVIDER_CACHE_TTL_SECONDS,
      directoryIndex: {
        leaseSeconds: env.DIRECTORY_INDEX_LEASE_SECONDS,
        waitSeconds: env.DIRECTORY_INDEX_WAIT_SECONDS,
      },
      watchdog: {
        intervalSeconds: env.WATCHDOG_INTERVAL_SECONDS,
        stallAfterSeconds: env.STALL_AFTER_SECONDS,
        maxRepairs: env.MAX_AUTO_REPAIRS,
      },
    },
    providers: {
      pdl: {
        apiUrl: env.PDL_API_URL,
        ...optional('apiKey', env.PDL_API_KEY),
        enabled: env.PDL_ENABLED ?? env.PDL_API_KEY !== undefined,
        requestsPerMinute: env.PDL_REQUESTS_PER_MINUTE,
        maxConcurrency: env.PDL_MAX_CONCURRENCY,
        batchSize: env.PDL_BATCH_SIZE,
        minLikelihood: env.PDL_MIN_LIKELIHOOD,
        slotLeaseSeconds: env.PROVIDER_SLOT_LEASE_SECONDS,
      },
    },
    webhooks: {
      ...optional('secretKey', env.WEBHOOK_SECRET_KEY),
      allowedHosts: env.WEBHOOK_ALLOWED_HOSTS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      retryScheduleSeconds: env.WEBHOOK_RETRY_SCHEDULE_SECONDS,
    },
    mailchimp: {
      ...optional('apiUrl', env.MAILCHIMP_API_URL),
      timeoutMs: env.MAILCHIMP_TIMEOUT_SECONDS * 1000,
      maxConnections: env.MAILCHIMP_MAX_CONNECTIONS,
    },
    secrets: {
      ...optional('kmsKeyId', env.CONNECTIONS_KMS_KEY_ID),
      keyFile: env.CONNECTIONS_KEY_FILE ?? `${env.DATA_DIR}/connections.key`,
    },
    emulators: {
      host: env.EMULATOR_HOST,
      s3SqsPort: env.EMULATOR_S3_SQS_PORT,
      dynamodbPort: env.EMULATOR_DYNAMODB_PORT,
      dataDir: env.DATA_DIR,
    },
  };
}

/** `{ [key]: value }` when value is defined, `{}` otherwise (for exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

function withoutEmptyValues(
  environment: Record<string, string | undefined>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) {
    if (value !== undefined && value !== '') result[key] = value;
  }
  return result;
}
