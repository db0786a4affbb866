import { z } from 'zod';
import { envSchema } from './config.ts';

/** What the configuration reference says about one environment variable. */
export interface EnvVarDoc {
  /** The section of docs/configuration.md it is listed in. */
  readonly group: ConfigGroup;
  readonly description: string;
  /** Shown instead of the schema's default, when the default is derived or better in words. */
  readonly defaultText?: string;
  /** Shown instead of what the schema says about allowed values (custom-parsed variables). */
  readonly allowedText?: string;
}

const GROUPS = [
  'Logging',
  'AWS',
  'Resources',
  'API',
  'Worker',
  'Providers',
  'Webhooks',
  'Embedded emulators',
] as const;
type ConfigGroup = (typeof GROUPS)[number];

/**
 * One entry per variable of the schema in config.ts: the type makes a new variable without a
 * description a compile error, and `npm run docs:config` turns this into docs/configuration.md.
 */
export const ENV_DOCS = {
  NODE_ENV: { group: 'Logging', description: 'Runtime mode of the process.' },
  LOG_LEVEL: {
    group: 'Logging',
    description: 'pino log level (`npm start` runs its services at `warn`).',
  },

  AWS_REGION: { group: 'AWS', description: 'Region of every AWS client.' },
  AWS_ACCESS_KEY_ID: {
    group: 'AWS',
    description:
      'Static credentials (emulators, LocalStack). Leave unset on AWS: the task role is used.',
    defaultText: 'default provider chain',
  },
  AWS_SECRET_ACCESS_KEY: {
    group: 'AWS',
    description: 'Secret of `AWS_ACCESS_KEY_ID`.',
    defaultText: 'default provider chain',
  },
  AWS_ENDPOINT_URL: {
    group: 'AWS',
    description: 'Endpoint of every service (emulators, LocalStack); a specific one below wins.',
    defaultText: 'AWS',
  },
  AWS_ENDPOINT_URL_S3: {
    group: 'AWS',
    description: 'S3 endpoint.',
    defaultText: '`AWS_ENDPOINT_URL`',
  },
  AWS_ENDPOINT_URL_SQS: {
    group: 'AWS',
    description: 'SQS endpoint.',
    defaultText: '`AWS_ENDPOINT_URL`',
  },
  AWS_ENDPOINT_URL_DYNAMODB: {
    group: 'AWS',
    description: 'DynamoDB endpoint.',
    defaultText: '`AWS_ENDPOINT_URL`',
  },
  S3_PUBLIC_ENDPOINT: {
    group: 'AWS',
    description:
      'Address clients use in presigned URLs, when it differs from the one the services use (compose, tunnels).',
    defaultText: 'the S3 endpoint',
  },
  S3_FORCE_PATH_STYLE: {
    group: 'AWS',
    description: 'Path-style bucket addressing (emulators serve buckets by path).',
    defaultText: '`true` with an S3 endpoint, else `false`',
  },

  RESOURCE_PREFIX: { group: 'Resources', description: 'Prefix of every resource name.' },
  BUCKET_NAME: {
    group: 'Resources',
    description: 'S3 bucket of uploads, work parts and results.',
    defaultText: '`<prefix>-files`',
  },
  CONTROL_QUEUE_NAME: {
    group: 'Resources',
    description: 'SQS queue of split and merge messages; its DLQ is `<name>-dlq`.',
    defaultText: '`<prefix>-control`',
  },
  CHUNK_QUEUE_NAME: {
    group: 'Resources',
    description: 'SQS queue of chunk messages; its DLQ is `<name>-dlq`.',
    defaultText: '`<prefix>-chunks`',
  },
  JOBS_TABLE: {
    group: 'Resources',
    description: 'DynamoDB table of jobs.',
    defaultText: '`<prefix>-jobs`',
  },
  NICKNAMES_TABLE: {
    group: 'Resources',
    description: 'DynamoDB table of nicknames.',
    defaultText: '`<prefix>-nicknames`',
  },
  PROVIDERS_TABLE: {
    group: 'Resources',
    description:
      'DynamoDB table of third-party provider state: the fleet-wide request limiter (rate and concurrency per provider account) and the provider response cache (TTL on `expiresAt`).',
    defaultText: '`<prefix>-providers`',
  },
  WEBHOOKS_TABLE: {
    group: 'Resources',
    description: 'DynamoDB table of webhook endpoints (one item per tenant).',
    defaultText: '`<prefix>-webhooks`',
  },
  CONNECTIONS_TABLE: {
    group: 'Resources',
    description:
      'DynamoDB table of tenants’ connections to outside services (Mailchimp): one item per connection, keyed by tenant and id; the API key is sealed (see `CONNECTIONS_KMS_KEY_ID`).',
    defaultText: '`<prefix>-connections`',
  },
  PROVISION_RESOURCES: {
    group: 'Resources',
    description: 'Create missing resources at start-up (embedded default, LocalStack); off on AWS.',
  },

  HOST: { group: 'API', description: 'API listen address (containers set `0.0.0.0`).' },
  PORT: { group: 'API', description: 'API listen port (0 picks a free one).' },
  API_KEYS: {
    group: 'API',
    description:
      'API keys and their tenants; a tenant may have several keys. Only their SHA-256 is kept.',
    defaultText: 'none',
    allowedText:
      '`tenant:key,…`; tenant ids are lowercase letters, digits and dashes; keys of at least 16 characters',
  },
  MAX_UPLOAD_BYTES: {
    group: 'API',
    description: 'Largest accepted file (presigned policy and direct upload).',
    defaultText: '`1073741824` (1 GiB)',
  },
  UPLOAD_URL_TTL_SECONDS: {
    group: 'API',
    description:
      'Lifetime of presigned upload URLs (15 min by default). A URL may be reused until it expires, but a job only processes the version of the file it was started with (else it fails with `upload_changed`).',
  },
  RESULT_URL_TTL_SECONDS: { group: 'API', description: 'Lifetime of presigned download URLs.' },
  DEFAULT_CHUNK_ROWS: {
    group: 'API',
    description: 'Rows per chunk when a job does not say (`chunkRows`).',
  },
  RATE_LIMIT_PER_SECOND: {
    group: 'API',
    description:
      'Sustained requests per second per API key (`429` + `Retry-After` beyond); per API instance.',
  },
  RATE_LIMIT_BURST: {
    group: 'API',
    description: 'Requests per API key allowed at once above the sustained rate.',
  },
  SSE_POLL_INTERVAL_MS: {
    group: 'API',
    description:
      'How often an API process reads a job that event streams (`GET /v1/jobs/{id}/events`) ' +
      'watch: one DynamoDB read per job per interval, however many streams watch it.',
  },
  SSE_HEARTBEAT_MS: {
    group: 'API',
    description:
      'Interval of the `: ping` comment on event streams, so idle streams outlive the load ' +
      "balancer's 60 s idle timeout.",
  },
  SSE_TOKEN_TTL_SECONDS: {
    group: 'API',
    description:
      'Lifetime of the token from `POST /v1/jobs/{id}/events-token` (for browsers, whose ' +
      'EventSource cannot send an Authorization header).',
  },

  CHUNK_CONCURRENCY: {
    group: 'Worker',
    description: 'Chunk messages a worker handles at once.',
  },
  FETCH_CONCURRENCY: {
    group: 'Worker',
    description:
      'Mailchimp page fetches a worker runs besides its `CHUNK_CONCURRENCY` messages (0: none besides). A fetch mostly waits on Mailchimp, so a worker tuned for CPU-bound chunks still keeps the account’s 10 connections busy; the fleet-wide limiter holds the 10 whatever this is. Keep it at 10 or more for a single worker; in a fleet, about twice a worker’s part of the 10 (6 for three workers) leaves fewer pages waiting in a worker that has no slot for them (docs/mailchimp.md).',
  },
  CONTROL_CONCURRENCY: {
    group: 'Worker',
    description: 'Split and merge messages a worker handles at once.',
  },
  ENRICHER_CACHE_MAX_MB: {
    group: 'Worker',
    description:
      'Memory (estimated, MiB) the worker’s directory indexes may take together, least recently used out. An index weighs what its heapBytes reports; one larger than this is used but not kept (it is loaded again for each chunk).',
  },
  DIRECTORY_INDEX_LEASE_SECONDS: {
    group: 'Worker',
    description:
      'Lease of one directory index build (seconds), renewed every third of it while the worker builds; a builder that dies delays the others at most this long. Keep it longer than the longest stretch a build keeps the event loop busy. See [directories.md](directories.md#index-artifacts-one-builder-many-loaders).',
  },
  DIRECTORY_INDEX_WAIT_SECONDS: {
    group: 'Worker',
    description:
      'Longest a chunk waits in process (its message kept visible) for another worker’s directory index build before its message is deferred (seconds).',
  },
  PROVIDER_CACHE_TTL_SECONDS: {
    group: 'Worker',
    description:
      'How long a third-party provider’s answer (match or no match) is cached and reused, in seconds (default 7 days): a redelivered chunk, a retried batch and duplicate contacts cost nothing more.',
  },
  WATCHDOG_INTERVAL_SECONDS: {
    group: 'Worker',
    description:
      'How often each worker looks for stalled jobs (±20 % jitter); `0` turns the watchdog off.',
  },
  STALL_AFTER_SECONDS: {
    group: 'Worker',
    description:
      'A running job whose item has not changed for this long is stalled and repaired or failed (`stalled`). Keep it well above `VISIBILITY_TIMEOUT_SECONDS`.',
  },
  MAX_AUTO_REPAIRS: {
    group: 'Worker',
    description:
      'Automatic repairs per job (re-sent split or merge, chunk messages redriven from the dead-letter queue) before the watchdog fails it as `stalled`.',
  },
  MAX_ROW_BYTES: {
    group: 'Worker',
    description:
      'A data row longer than this is rejected unread, so one hostile line cannot take the worker’s memory.',
    defaultText: '`4194304` (4 MiB)',
  },
  POLL_WAIT_SECONDS: { group: 'Worker', description: 'SQS long-poll wait.' },
  VISIBILITY_TIMEOUT_SECONDS: {
    group: 'Worker',
    description:
      'Queue visibility timeout; the worker’s heartbeat extends it every third of it. Also set on the queues when provisioning.',
  },
  MAX_RECEIVE_COUNT: {
    group: 'Worker',
    description:
      'Deliveries before a message moves to its dead-letter queue (the job then fails). Also set on the queues when provisioning.',
  },
  SHUTDOWN_DEADLINE_SECONDS: {
    group: 'Worker',
    description:
      'On SIGTERM, time to finish in-flight messages before releasing them (below ECS’s 30 s).',
  },
  ECS_AGENT_URI: {
    group: 'Worker',
    description:
      'Set by ECS in every task; when present the worker protects its task from scale-in while busy.',
    defaultText: 'unset outside ECS',
  },

  WEBHOOK_SECRET_KEY: {
    group: 'Webhooks',
    description:
      'A secret (32+ random characters, e.g. `openssl rand -base64 32`) whose SHA-256 encrypts ' +
      'webhook signing secrets at rest (AES-256-GCM; the cloud stack generates it in Secrets Manager). Without it `/v1/webhooks` answers `503` and nothing is ' +
      'delivered. Changing it makes existing endpoints unusable: create them again.',
  },
  WEBHOOK_ALLOWED_HOSTS: {
    group: 'Webhooks',
    description:
      'Comma-separated host names webhooks may target even though they resolve to loopback, ' +
      'private or link-local addresses (everything else of that kind is refused).',
    allowedText: 'host names, comma-separated',
  },
  WEBHOOK_TIMEOUT_MS: {
    group: 'Webhooks',
    description: 'How long a delivery may take before it counts as failed.',
  },
  WEBHOOK_RETRY_SCHEDULE_SECONDS: {
    group: 'Webhooks',
    description:
      'Waits before each retry of a failed delivery; after the last one the delivery is given up. ' +
      'Waits over 900 s take several SQS delays.',
    defaultText: '`5,300,1800,7200,18000,36000,36000` (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)',
    allowedText: 'whole seconds, comma-separated, at most 20',
  },
  EMULATOR_HOST: {
    group: 'Embedded emulators',
    description: 'Address the emulators listen on (containers bind `0.0.0.0`).',
  },
  EMULATOR_S3_SQS_PORT: {
    group: 'Embedded emulators',
    description: 'Port of S3 and SQS (fauxqs).',
  },
  EMULATOR_DYNAMODB_PORT: {
    group: 'Embedded emulators',
    description: 'Port of DynamoDB (dynalite).',
  },
  DATA_DIR: { group: 'Embedded emulators', description: 'Where the emulators persist their data.' },
  PDL_API_URL: {
    group: 'Providers',
    description:
      'People Data Labs API base; jobs with `provider: "pdl"` call `POST {PDL_API_URL}/v5/person/bulk`. Point it at a simulator for local runs and tests.',
  },
  PDL_API_KEY: {
    group: 'Providers',
    description:
      'People Data Labs API key, sent only as the `X-Api-Key` header. A secret: never logged, returned or stored (on AWS, inject it from Secrets Manager). Unset: jobs cannot use `provider: "pdl"`. A key PDL refuses (401/403) fails the job as `provider_unauthorized`.',
  },
  PDL_ENABLED: {
    group: 'Providers',
    description:
      'Whether jobs may ask for `provider: "pdl"`: the api refuses them with `provider_not_configured` otherwise. Default: whether `PDL_API_KEY` is set. Lets the api, which never calls PDL, run without the key (the CDK stack sets it to `true` on the api and gives the key to the workers only).',
  },
  PDL_REQUESTS_PER_MINUTE: {
    group: 'Providers',
    description:
      'Bulk requests per minute to People Data Labs for the whole fleet (PDL limits per key, per minute; one bulk request counts once, whatever its size).',
  },
  PDL_MAX_CONCURRENCY: {
    group: 'Providers',
    description: 'People Data Labs requests in flight at once, for the whole fleet.',
  },
  PDL_BATCH_SIZE: {
    group: 'Providers',
    description:
      'Rows per bulk request (PDL takes at most 100 and advises fewer, as very large requests can end in a 502).',
  },
  PROVIDER_SLOT_LEASE_SECONDS: {
    group: 'Providers',
    description:
      'Lease of a provider concurrency slot (`PDL_MAX_CONCURRENCY`), renewed every third of it while its request runs: a SIGKILLed worker’s slots are free again at most this long after it died. Shorter frees them sooner and costs one conditional write per slot held per third of it.',
  },
  PDL_MIN_LIKELIHOOD: {
    group: 'Providers',
    description:
      'Lowest PDL likelihood (1–10) accepted as a match. PDL answers a weaker match as a free 404 instead of a billed 200; every match is still verified by the engine’s own scoring.',
  },
  MAILCHIMP_API_URL: {
    group: 'Providers',
    description:
      'Base URL of the Mailchimp Marketing API (the simulator, a proxy). `npm start` points it at its simulator unless set. See [mailchimp.md](mailchimp.md).',
    defaultText: '`https://<dc>.api.mailchimp.com` (the key’s data center)',
  },
  MAILCHIMP_TIMEOUT_SECONDS: {
    group: 'Providers',
    description:
      'A Mailchimp call (each try) that has not answered after this long fails and is retried.',
  },
  MAILCHIMP_MAX_CONNECTIONS: {
    group: 'Providers',
    description:
      'Calls in flight per Mailchimp account across the whole fleet (every worker, job and tenant of the account); Mailchimp allows 10.',
  },
  CONNECTIONS_KMS_KEY_ID: {
    group: 'API',
    description:
      'KMS key (id, ARN or alias) sealing connection secrets by envelope encryption (GenerateDataKey, then AES-256-GCM). Unset: the local key file below seals them (embedded default only).',
    defaultText: 'unset: local key file',
  },
  CONNECTIONS_KEY_FILE: {
    group: 'API',
    description:
      'Local sealing key of connection secrets when no KMS key is set: 32 random bytes, created with mode 0600 when missing. Every api and worker process of one installation must read the same file.',
    defaultText: '`<DATA_DIR>/connections.key`',
  },
  AWS_CALL_LOG_DIR: {
    group: 'AWS',
    description:
      'Tests only: a folder where the api and worker append every AWS call they make (one JSONL file per process), which the IAM check evaluates against the task-role policies. Never set in a deployment.',
  },
} satisfies Record<keyof z.input<typeof envSchema>, EnvVarDoc>;

/** Where `npm run docs:config` writes the reference, from the repository root. */
export const CONFIG_DOCS_PATH = 'docs/configuration.md';

interface JsonSchemaProperty {
  readonly type?: string;
  readonly enum?: readonly (string | number)[];
  readonly default?: unknown;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly format?: string;
}

/**
 * docs/configuration.md as markdown, from the schema (names, defaults, allowed values) and
 * ENV_DOCS (descriptions). Not yet formatted: the CLI and the drift test run Prettier on it.
 */
export function renderConfigDocs(): string {
  const properties = (
    z.toJSONSchema(envSchema, { io: 'input', unrepresentable: 'any' }) as {
      properties: Record<string, JsonSchemaProperty>;
    }
  ).properties;
  // Defaults as the processes see them (after transforms), e.g. PROVISION_RESOURCES=false.
  const defaults = envSchema.parse({}) as Record<string, unknown>;
  const docs: Record<string, EnvVarDoc> = ENV_DOCS;
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from shared/src/config.ts and shared/src/config-docs.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'Every process is configured by environment variables, parsed and validated once at start-up',
    '(`shared/src/config.ts`). A bad value stops the process with a message naming the variable.',
    'The same code talks to the embedded emulators, LocalStack or AWS depending only on these.',
    'Empty values count as unset.',
  ];
  for (const group of GROUPS) {
    lines.push('', `## ${group}`, '', '| Variable | Default | Allowed values | Meaning |');
    lines.push('| --- | --- | --- | --- |');
    for (const [name, property] of Object.entries(properties)) {
      const doc = docs[name];
      if (doc?.group !== group) continue;
      const defaultText = doc.defaultText ?? formatDefault(defaults[name]);
      const allowed = doc.allowedText ?? allowedValues(property);
      lines.push(`| \`${name}\` | ${defaultText} | ${allowed} | ${doc.description} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function formatDefault(value: unknown): string {
  if (value === undefined) return '—';
  // Defaults are strings, numbers and booleans; JSON prints each of them plainly (strings quoted).
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `\`${text}\``;
}

function allowedValues(property: JsonSchemaProperty): string {
  if (property.enum !== undefined) return property.enum.map((v) => `\`${v}\``).join(', ');
  if (property.type === 'integer') {
    const min =
      property.exclusiveMinimum === undefined ? property.minimum : property.exclusiveMinimum + 1;
    const max =
      property.maximum === undefined || property.maximum >= Number.MAX_SAFE_INTEGER
        ? undefined
        : property.maximum;
    if (min !== undefined && max !== undefined) return `integer, ${min}–${max}`;
    if (min !== undefined) return `integer ≥ ${min}`;
    return 'integer';
  }
  if (property.format === 'uri') return 'URL';
  if (property.pattern !== undefined) return `matches \`${property.pattern}\``;
  if (property.minLength !== undefined && property.minLength > 1)
    return `at least ${property.minLength} characters`;
  return 'text';
}
