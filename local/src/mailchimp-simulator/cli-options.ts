import { parseArgs } from 'node:util';
import {
  DEFAULT_MAILCHIMP_SIM_ACCOUNT,
  DEFAULT_MAILCHIMP_SIM_KEY,
  DEFAULT_MAILCHIMP_SIM_PORT,
  MailchimpSimulatorOptionsError,
  resolveMailchimpSimulatorOptions,
  type ResolvedMailchimpSimulatorOptions,
} from './simulator-options.ts';

interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly help: string;
}

/** Every setting is a flag (`--latency-ms 0`) or an environment variable; the flag wins. */
export const MAILCHIMP_SIM_SETTINGS = {
  host: { flag: 'host', env: 'MAILCHIMP_SIM_HOST', help: 'address to bind (127.0.0.1)' },
  port: {
    flag: 'port',
    env: 'MAILCHIMP_SIM_PORT',
    help: `port (${String(DEFAULT_MAILCHIMP_SIM_PORT)}; 0 = any free)`,
  },
  apiKeys: {
    flag: 'keys',
    env: 'MAILCHIMP_SIM_KEYS',
    help: 'accepted API keys of the one account, comma-separated (<hex>-us1)',
  },
  latencyMs: {
    flag: 'latency-ms',
    env: 'MAILCHIMP_SIM_LATENCY_MS',
    help: 'latency of a members page or batch upsert (300)',
  },
  maxConnections: {
    flag: 'max-connections',
    env: 'MAILCHIMP_SIM_MAX_CONNECTIONS',
    help: 'requests in flight per account; one more is answered 429 (10)',
  },
  sampleSize: {
    flag: 'sample-size',
    env: 'MAILCHIMP_SIM_SAMPLE_SIZE',
    help: 'members of the sample audience (300)',
  },
  members: {
    flag: 'members',
    env: 'MAILCHIMP_SIM_MEMBERS',
    help: 'also create a generated audience of this many members (0: none)',
  },
  seed: { flag: 'seed', env: 'MAILCHIMP_SIM_SEED', help: 'seed of the audiences (1)' },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof MAILCHIMP_SIM_SETTINGS;

export interface MailchimpSimulatorCliOptions {
  readonly options: ResolvedMailchimpSimulatorOptions;
  /** Members of an extra generated audience (0: none). */
  readonly generatedMembers: number;
}

/**
 * The simulator's options from command-line flags and environment variables. Only the port
 * differs from the programmatic defaults: 4571 instead of any free port.
 */
export function mailchimpSimulatorOptionsFrom(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): MailchimpSimulatorCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.values(MAILCHIMP_SIM_SETTINGS).map((s) => [s.flag, { type: 'string' as const }]),
    ),
    strict: true,
    allowPositionals: false,
  });
  const raw = (name: SettingName): string | undefined => {
    const setting = MAILCHIMP_SIM_SETTINGS[name];
    const value = values[setting.flag] ?? env[setting.env];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const integer = (name: SettingName, fallback: number): number => {
    const text = raw(name);
    if (text === undefined) return fallback;
    if (!/^-?\d+$/.test(text)) {
      const setting = MAILCHIMP_SIM_SETTINGS[name];
      throw new MailchimpSimulatorOptionsError(
        `--${setting.flag} / ${setting.env} must be an integer, got "${text}"`,
      );
    }
    return Number(text);
  };
  const keys = raw('apiKeys')
    ?.split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '') ?? [DEFAULT_MAILCHIMP_SIM_KEY];
  return {
    options: resolveMailchimpSimulatorOptions({
      host: raw('host') ?? '127.0.0.1',
      port: integer('port', DEFAULT_MAILCHIMP_SIM_PORT),
      accounts: [{ id: DEFAULT_MAILCHIMP_SIM_ACCOUNT, name: 'Simulated account', apiKeys: keys }],
      latencyMs: integer('latencyMs', 300),
      maxConnections: integer('maxConnections', 10),
      sampleSize: integer('sampleSize', 300),
      seed: integer('seed', 1),
    }),
    generatedMembers: integer('members', 0),
  };
}

/** `--help` text: one line per setting. */
export function mailchimpSimulatorHelp(): string {
  return Object.values(MAILCHIMP_SIM_SETTINGS)
    .map((s) => `  --${s.flag.padEnd(16)} ${s.env.padEnd(30)} ${s.help}`)
    .join('\n');
}
