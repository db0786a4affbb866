import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from './config.ts';

/**
 * What `npm start` leaves in its data directory while it runs: the environment that reaches its
 * emulators (endpoints, region, the emulators' dummy credentials) and its API's address, so
 * the command-line tools (`npm run submit`, `nicknames:import`, `dlq`) find them without
 * hand-set variables.
 */
export const LOCAL_ENVIRONMENT_FILE = 'local-env.json';

const localEnvironment = z.object({
  env: z.record(z.string(), z.string()),
  apiUrl: z.string(),
});

export type LocalEnvironment = z.infer<typeof localEnvironment>;

export function writeLocalEnvironment(dataDir: string, value: LocalEnvironment): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, LOCAL_ENVIRONMENT_FILE), `${JSON.stringify(value, null, 2)}\n`, {
    mode: 0o600,
  });
}

export function removeLocalEnvironment(dataDir: string): void {
  rmSync(join(dataDir, LOCAL_ENVIRONMENT_FILE), { force: true });
}

/** The environment a tool should run with, and where its AWS settings came from. */
export interface ToolEnvironment {
  readonly env: Record<string, string | undefined>;
  /** The running `npm start`'s API address, when its file was used. */
  readonly apiUrl?: string;
  /** `environment`: AWS_ENDPOINT_URL* was set; `npm start`: its file; `none`: neither. */
  readonly source: 'environment' | 'npm start' | 'none';
}

/**
 * `env` as given when it names AWS endpoints; otherwise `env` over the file a running
 * `npm start` wrote under DATA_DIR (variables set by hand still win); otherwise `env` alone.
 */
export function toolEnvironment(env: Record<string, string | undefined>): ToolEnvironment {
  const config = loadConfig(env);
  if (Object.keys(config.aws.endpoints).length > 0) return { env, source: 'environment' };
  const file = join(config.emulators.dataDir, LOCAL_ENVIRONMENT_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { env, source: 'none' };
  }
  const parsed = localEnvironment.safeParse(JSON.parse(text));
  if (!parsed.success) return { env, source: 'none' };
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
  return {
    env: { ...parsed.data.env, ...defined },
    apiUrl: parsed.data.apiUrl,
    source: 'npm start',
  };
}

/**
 * What to tell a user whose tool could not reach AWS, by where its settings came from: the
 * variables that were missing, or that the `npm start` it found is not running.
 */
export function connectionHint(tool: ToolEnvironment, dataDir: string): string {
  if (tool.source === 'npm start')
    return (
      `using the emulators of \`npm start\` (from ${join(dataDir, LOCAL_ENVIRONMENT_FILE)}): ` +
      'is it still running?'
    );
  if (tool.source === 'none')
    return (
      'no AWS endpoint is configured and no `npm start` is running here: start `npm start` ' +
      `(it writes ${join(dataDir, LOCAL_ENVIRONMENT_FILE)}), or set AWS_ENDPOINT_URL (or ` +
      'AWS_ENDPOINT_URL_S3, _SQS and _DYNAMODB), AWS_REGION, AWS_ACCESS_KEY_ID and ' +
      'AWS_SECRET_ACCESS_KEY (any value for the emulators), or for real AWS your usual ' +
      'credentials and AWS_REGION, plus RESOURCE_PREFIX if the stack uses another one'
    );
  return 'check AWS_ENDPOINT_URL* and the credentials in your environment';
}
