import type { Logger } from '@contacts/shared';

/**
 * ECS task scale-in protection: while a worker holds messages, the service's scaling may not
 * stop its task (it would cut work short); once idle, protection is dropped so it can.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection-endpoint.html
 */
export class TaskProtection {
  readonly #agentUri: string;
  readonly #logger: Logger;
  readonly #expiresInMinutes: number;
  #protected = false;
  #pending: Promise<void> = Promise.resolve();

  constructor(options: { agentUri: string; logger: Logger; expiresInMinutes?: number }) {
    this.#agentUri = options.agentUri;
    this.#logger = options.logger;
    // Renewed on every busy period; the expiry only matters if the worker hangs.
    this.#expiresInMinutes = options.expiresInMinutes ?? 60;
  }

  /** Called whenever the number of messages held changes. */
  update(busy: boolean): void {
    if (busy === this.#protected) return;
    this.#protected = busy;
    this.#pending = this.#pending.then(() => this.#send(busy));
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
        signal: AbortSignal.timeout(3000),
      });
      if (!res.ok) this.#logger.warn({ status: res.status, enabled }, 'task protection refused');
    } catch (error) {
      // Protection is an optimisation: without it a stopped task's messages are retried.
      this.#logger.warn({ err: error, enabled }, 'task protection unavailable');
    }
  }
}
