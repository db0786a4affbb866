import { z } from 'zod';
import { MAILCHIMP_ROUTES, type MailchimpRoute } from './simulator-stats.ts';

/**
 * A failure the simulator answers for the next requests of one route, as Mailchimp does now and
 * then: a 5xx (an outage, a deploy), or a 400 that refuses a whole batch. Deterministic: the
 * next `times` admitted requests of the route meet it, then the route recovers.
 */
export const mailchimpFaultSchema = z
  .object({
    route: z.enum(MAILCHIMP_ROUTES),
    status: z.number().int().min(400).max(599),
    times: z.number().int().min(1).default(1),
    /**
     * Batch upserts only: the batch is applied, then the error is answered (the answer was lost
     * on its way back), so a client that sends it again sends what is already there.
     */
    afterApplying: z.boolean().default(false),
  })
  .strict();

export type MailchimpFault = z.input<typeof mailchimpFaultSchema>;

interface PendingFault {
  readonly route: MailchimpRoute;
  readonly status: number;
  readonly afterApplying: boolean;
  remaining: number;
}

/** Faults waiting for their requests, first added first met. */
export class FaultPlan {
  readonly #pending: PendingFault[] = [];

  add(fault: MailchimpFault): void {
    const parsed = mailchimpFaultSchema.parse(fault);
    this.#pending.push({
      route: parsed.route,
      status: parsed.status,
      afterApplying: parsed.afterApplying && parsed.route === 'batch',
      remaining: parsed.times,
    });
  }

  /** The fault this request of `route` meets, if any; it counts as met. */
  take(route: MailchimpRoute): { status: number; afterApplying: boolean } | undefined {
    const index = this.#pending.findIndex((f) => f.route === route);
    const fault = this.#pending[index];
    if (fault === undefined) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.#pending.splice(index, 1);
    return { status: fault.status, afterApplying: fault.afterApplying };
  }

  /** Faults not met yet (requests, over all routes). */
  get pending(): number {
    return this.#pending.reduce((n, f) => n + f.remaining, 0);
  }
}
