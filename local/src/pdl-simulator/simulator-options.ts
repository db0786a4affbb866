import { z } from 'zod';

export const DEFAULT_PDL_SIM_KEY = 'local-pdl-key';
export const DEFAULT_PDL_SIM_PORT = 4570;

const rate = z.number().min(0).max(1);

/** The simulator's options, validated; every field has a default. */
export const pdlSimulatorOptionsSchema = z
  .object({
    /** Loopback by default: the simulator is for this machine only. */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port (tests); the CLI and `npm start` default to 4570. */
    port: z.number().int().min(0).max(65_535).default(0),
    apiKeys: z.array(z.string().min(1)).min(1).default([DEFAULT_PDL_SIM_KEY]),
    /** Time to answer each admitted request: latencyMs plus a seeded draw in [0, jitterMs). */
    latencyMs: z.number().int().min(0).max(60_000).default(0),
    jitterMs: z.number().int().min(0).max(60_000).default(0),
    /** Requests per key per fixed window (PDL: per minute). */
    rateLimit: z
      .object({
        requests: z.number().int().min(1),
        windowMs: z.number().int().min(1).default(60_000),
      })
      .default({ requests: 100, windowMs: 60_000 }),
    /** Requests one key may have in flight; one more is refused (429) and counted. */
    concurrency: z.number().int().min(1).default(10),
    /** Share of admitted requests that fail on purpose, drawn from the seed. */
    faults: z
      .object({
        serviceUnavailable: rate.default(0),
        rateLimited: rate.default(0),
        dropConnection: rate.default(0),
        /** Retry-After on an injected 429. */
        retryAfterSeconds: z.number().int().min(0).default(1),
      })
      .default({ serviceUnavailable: 0, rateLimited: 0, dropConnection: 0, retryAfterSeconds: 1 })
      .refine((f) => f.serviceUnavailable + f.rateLimited + f.dropConnection <= 1, {
        message: 'fault rates must add up to at most 1',
      }),
    /** The world, latencies and faults all follow from it. */
    seed: z.number().int().default(1),
    /** Generated people besides the sample people; built on the first lookup. */
    worldSize: z.number().int().min(0).max(1_000_000).default(10_000),
  })
  .strict();

export type PdlSimulatorOptions = z.input<typeof pdlSimulatorOptionsSchema>;
export type ResolvedPdlSimulatorOptions = z.output<typeof pdlSimulatorOptionsSchema>;

export class PdlSimulatorOptionsError extends Error {
  override readonly name = 'PdlSimulatorOptionsError';
}

export function resolvePdlSimulatorOptions(
  options: PdlSimulatorOptions = {},
): ResolvedPdlSimulatorOptions {
  const parsed = pdlSimulatorOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`)
    .join('; ');
  throw new PdlSimulatorOptionsError(`invalid PDL simulator options: ${problems}`, {
    cause: parsed.error,
  });
}
