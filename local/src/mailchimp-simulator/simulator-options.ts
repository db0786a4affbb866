import { z } from 'zod';

/** The sample account's API key: 32 hex digits, then the data center, as Mailchimp's keys are. */
export const DEFAULT_MAILCHIMP_SIM_KEY = '5a1e0c0ffee5a1e0c0ffee5a1e0c0ffe-us1';
export const DEFAULT_MAILCHIMP_SIM_ACCOUNT = 'sim0account0001';
/** The sample audience's list id (ten hex digits, like Mailchimp's). */
export const SAMPLE_LIST_ID = '5a3b1e0c9d';
export const DEFAULT_MAILCHIMP_SIM_PORT = 4571;

const account = z
  .object({
    /** Mailchimp's `account_id` (GET /3.0/ answers it). */
    id: z.string().regex(/^[a-z0-9]{1,40}$/, 'lowercase letters and digits'),
    name: z.string().min(1).default('Simulated account'),
    /** Keys of this account: `<hex>-<dc>`; several keys share the account's connection limit. */
    apiKeys: z
      .array(z.string().regex(/^[0-9a-f]{8,64}-[a-z]+\d+$/, 'expected <hex>-<dc>, e.g. …-us1'))
      .min(1),
  })
  .strict();

/** The simulator's options, validated; every field has a default. */
export const mailchimpSimulatorOptionsSchema = z
  .object({
    /** Loopback by default: the simulator is for this machine only. */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port (tests); the CLI and `npm start` default to 4571. */
    port: z.number().int().min(0).max(65_535).default(0),
    accounts: z
      .array(account)
      .min(1)
      .default([
        {
          id: DEFAULT_MAILCHIMP_SIM_ACCOUNT,
          name: 'Simulated account',
          apiKeys: [DEFAULT_MAILCHIMP_SIM_KEY],
        },
      ]),
    /**
     * Time to answer a members page or a batch upsert (Mailchimp takes about this long for a
     * page of 1,000); other routes answer at once. Tests set 0.
     */
    latencyMs: z.number().int().min(0).max(120_000).default(300),
    /** Requests one account may have in flight; one more is refused (429) and counted. */
    maxConnections: z.number().int().min(1).default(10),
    /** Largest `count` of a members page, and members of one batch upsert (Mailchimp's limits). */
    maxPageSize: z.number().int().min(1).default(1000),
    maxBatchMembers: z.number().int().min(1).default(500),
    /** The sample audience's members (it belongs to the first account); 0 leaves it out. */
    sampleSize: z.number().int().min(0).max(10_000).default(300),
    /** Audiences, latencies and ids all follow from it. */
    seed: z.number().int().default(1),
  })
  .strict();

export type MailchimpSimulatorOptions = z.input<typeof mailchimpSimulatorOptionsSchema>;
export type ResolvedMailchimpSimulatorOptions = z.output<typeof mailchimpSimulatorOptionsSchema>;

export class MailchimpSimulatorOptionsError extends Error {
  override readonly name = 'MailchimpSimulatorOptionsError';
}

export function resolveMailchimpSimulatorOptions(
  options: MailchimpSimulatorOptions = {},
): ResolvedMailchimpSimulatorOptions {
  const parsed = mailchimpSimulatorOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`)
    .join('; ');
  throw new MailchimpSimulatorOptionsError(`invalid Mailchimp simulator options: ${problems}`, {
    cause: parsed.error,
  });
}
