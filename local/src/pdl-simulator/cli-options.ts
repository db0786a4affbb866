import { parseArgs } from 'node:util';
import {
  DEFAULT_PDL_SIM_PORT,
  PdlSimulatorOptionsError,
  resolvePdlSimulatorOptions,
  type ResolvedPdlSimulatorOptions,
} from './simulator-options.ts';

interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly kind: 'integer' | 'rate' | 'text' | 'list';
  readonly help: string;
}

/** Every setting is a flag (`--latency-ms 200`) or an environment variable; the flag wins. */
export const PDL_SIM_SETTINGS = {
  host: { flag: 'host', env: 'PDL_SIM_HOST', kind: 'text', help: 'address to bind (127.0.0.1)' },
  port: {
    flag: 'port',
    env: 'PDL_SIM_PORT',
    kind: 'integer',
    help: `port (${DEFAULT_PDL_SIM_PORT}; 0 = any free)`,
  },
  apiKeys: {
    flag: 'keys',
    env: 'PDL_SIM_KEYS',
    kind: 'list',
    help: 'accepted API keys, comma-separated (local-pdl-key)',
  },
  latencyMs: {
    flag: 'latency-ms',
    env: 'PDL_SIM_LATENCY_MS',
    kind: 'integer',
    help: 'fixed latency per request (100)',
  },
  jitterMs: {
    flag: 'jitter-ms',
    env: 'PDL_SIM_JITTER_MS',
    kind: 'integer',
    help: 'extra random latency, up to (100)',
  },
  rateRequests: {
    flag: 'rate-limit',
    env: 'PDL_SIM_RATE_LIMIT',
    kind: 'integer',
    help: 'requests per key per window (100)',
  },
  rateWindowMs: {
    flag: 'rate-window-ms',
    env: 'PDL_SIM_RATE_WINDOW_MS',
    kind: 'integer',
    help: 'rate window (60000: per minute, as PDL)',
  },
  concurrency: {
    flag: 'concurrency',
    env: 'PDL_SIM_CONCURRENCY',
    kind: 'integer',
    help: 'requests in flight per key (10)',
  },
  serviceUnavailable: {
    flag: 'fail-503',
    env: 'PDL_SIM_FAULT_503',
    kind: 'rate',
    help: 'share of requests answered 503 (0)',
  },
  rateLimited: {
    flag: 'fail-429',
    env: 'PDL_SIM_FAULT_429',
    kind: 'rate',
    help: 'share answered 429 with Retry-After (0)',
  },
  dropConnection: {
    flag: 'fail-drop',
    env: 'PDL_SIM_FAULT_DROP',
    kind: 'rate',
    help: 'share whose connection is cut mid-response (0)',
  },
  retryAfterSeconds: {
    flag: 'retry-after',
    env: 'PDL_SIM_RETRY_AFTER',
    kind: 'integer',
    help: 'Retry-After seconds on an injected 429 (1)',
  },
  seed: {
    flag: 'seed',
    env: 'PDL_SIM_SEED',
    kind: 'integer',
    help: 'seed for the world, latencies and faults (1)',
  },
  worldSize: {
    flag: 'world-size',
    env: 'PDL_SIM_WORLD_SIZE',
    kind: 'integer',
    help: 'generated people besides the samples (10000)',
  },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof PDL_SIM_SETTINGS;

/**
 * The simulator's options from command-line flags and environment variables. Defaults differ
 * from the programmatic ones in two places: port 4570 (not any free port) and 100 ± 100 ms of
 * latency, so a client meets concurrency the way it will against the real service.
 */
export function pdlSimulatorOptionsFrom(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ResolvedPdlSimulatorOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.values(PDL_SIM_SETTINGS).map((s) => [s.flag, { type: 'string' as const }]),
    ),
    strict: true,
    allowPositionals: false,
  });
  const raw = (name: SettingName): string | undefined => {
    const setting = PDL_SIM_SETTINGS[name];
    const value = values[setting.flag] ?? env[setting.env];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const number = (name: SettingName, fallback: number): number => {
    const text = raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    const setting = PDL_SIM_SETTINGS[name];
    const ok = setting.kind === 'rate' ? Number.isFinite(value) : Number.isInteger(value);
    if (!ok || !/^-?[\d.]+$/.test(text)) {
      throw new PdlSimulatorOptionsError(
        `--${setting.flag} / ${setting.env} must be ${setting.kind === 'rate' ? 'a number between 0 and 1' : 'an integer'}, got "${text}"`,
      );
    }
    return value;
  };
  return resolvePdlSimulatorOptions({
    host: raw('host') ?? '127.0.0.1',
    port: number('port', DEFAULT_PDL_SIM_PORT),
    apiKeys: raw('apiKeys')
      ?.split(',')
      .map((key) => key.trim())
      .filter((key) => key !== '') ?? ['local-pdl-key'],
    latencyMs: number('latencyMs', 100),
    jitterMs: number('jitterMs', 100),
    rateLimit: { requests: number('rateRequests', 100), windowMs: number('rateWindowMs', 60_000) },
    concurrency: number('concurrency', 10),
    faults: {
      serviceUnavailable: number('serviceUnavailable', 0),
      rateLimited: number('rateLimited', 0),
      dropConnection: number('dropConnection', 0),
      retryAfterSeconds: number('retryAfterSeconds', 1),
    },
    seed: number('seed', 1),
    worldSize: number('worldSize', 10_000),
  });
}

/** `--help` text: one line per setting. */
export function pdlSimulatorHelp(): string {
  return Object.values(PDL_SIM_SETTINGS)
    .map((s) => `  --${s.flag.padEnd(16)} ${s.env.padEnd(24)} ${s.help}`)
    .join('\n');
}
