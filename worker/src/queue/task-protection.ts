import { OutageLog, type Logger } from '@contacts/shared';

export interface TaskProtectionOptions {
  /** ECS_AGENT_URI, which ECS sets in every task. */
  readonly agentUri: string;
  readonly logger: Logger;
  /**
   * How long the agent keeps a task protected without hearing from it (ECS allows 1 to 2880).
   * Short on purpose: a worker that hangs, or dies before releasing, blocks scale-in only this long.
   */
  readonly expiresInMinutes?: number;
  /** How often protection is renewed while busy; a third of the expiry leaves two more chances. */
  readonly renewEveryMs?: number;
  /** Per request to the agent, which answers locally within milliseconds. */
  readonly requestTimeoutMs?: number;
}

/**
 * ECS task scale-in protection: while a worker holds messages, the service's scaling may not
 * stop its task (it would cut work short); once idle, protection is dropped so it can.
 * Protection expires on its own, so it is renewed for as long as the worker stays busy.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection-endpoint.html
 */
export class TaskProtection {
  readonly #agentUri: string;
  readonly #expiresInMinutes: number;
  readonly #renewEveryMs: number;
  readonly #requestTimeoutMs: number;
  /** The agent failing (down, or refusing): logged once until a request succeeds again. */
  readonly #outage: OutageLog;
  #busy = false;
  #renewTimer: NodeJS.Timeout | undefined;
  /** Requests go out one at a time, in order, so the last state asked for is the one that holds. */
  #pending: Promise<void> = Promise.resolve();
  #queued = 0;

  constructor(options: TaskProtectionOptions) {
    this.#agentUri = options.agentUri;
    this.#expiresInMinutes = options.expiresInMinutes ?? 15;
    if (
      !Number.isInteger(this.#expiresInMinutes) ||
      this.#expiresInMinutes < 1 ||
      this.#expiresInMinutes > 2880
    )
      throw new RangeError('expiresInMinutes must be an integer from 1 to 2880');
    const expiryMs = this.#expiresInMinutes * 60_000;
    this.#renewEveryMs = options.renewEveryMs ?? expiryMs / 3;
    if (!(this.#renewEveryMs > 0 && this.#renewEveryMs < expiryMs))
      throw new RangeError('renewEveryMs must be positive and shorter than expiresInMinutes');
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 3000;
    this.#outage = new OutageLog(options.logger, 'ECS agent (task scale-in protection)');
  }

  /** Called whenever the worker goes from idle to busy and back. */
  update(busy: boolean): void {
    if (busy === this.#busy) return;
    this.#busy = busy;
    clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
    if (busy) {
      this.#renewTimer = setInterval(() => {
        // A request still queued (a slow agent) renews anyway; piling up more helps nobody.
        if (this.#queued === 0) this.#enqueue(true);
      }, this.#renewEveryMs);
      this.#renewTimer.unref();
    }
    this.#enqueue(busy);
  }

  /** Resolves once every request asked for so far is answered (or failed); never rejects. */
  settled(): Promise<void> {
    return this.#pending;
  }

  #enqueue(enabled: boolean): void {
    this.#queued++;
    this.#pending = this.#pending.then(async () => {
      this.#queued--;
      await this.#send(enabled);
    });
  }

  async #send(enabled: boolean): Promise<void> {
    try {
      const res = await fetch(`${this.#agentUri}/task-protection/v1/state`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          ProtectionEnabled: enabled,
          ...(enabled ? { ExpiresInMinutes: this.#expiresInMinutes } : {}),
        }),
        signal: AbortSignal.timeout(this.#requestTimeoutMs),
      });
      // The agent reports ECS's refusals (throttled, denied) as a `failure` or `error` object.
      const body = (await res.json().catch(() => ({}))) as { failure?: unknown; error?: unknown };
      const refusal = body.failure ?? body.error;
      if (!res.ok || refusal !== undefined) {
        throw new Error(
          `task protection refused (HTTP ${res.status}): ${JSON.stringify(refusal ?? body)}`,
        );
      }
      this.#outage.recovered();
    } catch (error) {
      // Protection is an optimisation: without it a stopped task's messages are retried. The
      // next renewal (or change) is the retry.
      this.#outage.failed(error);
    }
  }
}
