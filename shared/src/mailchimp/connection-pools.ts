import { Agent, type Dispatcher } from 'undici';
import { MAILCHIMP_MAX_CONNECTIONS } from './mailchimp-limiters.ts';

/**
 * One pool of keep-alive connections per Mailchimp account in this process, never more than the
 * account's limit. The limiter hands a slot to the next call while the call that gave it back
 * is still returning its connection to the pool: an unbounded pool then opens another one (a
 * TLS handshake with Mailchimp, and idle sockets beyond the account's 10), where a bounded one
 * keeps the call the moment it takes for that connection to come back.
 */
export class MailchimpConnectionPools {
  readonly #pools = new Map<string, Agent>();
  readonly #maxConnections: number;

  constructor(maxConnections: number = MAILCHIMP_MAX_CONNECTIONS) {
    this.#maxConnections = maxConnections;
  }

  /** The pool of one account (`mailchimpAccountKey(dc, accountId)`). */
  forAccount(accountKey: string): Dispatcher {
    let pool = this.#pools.get(accountKey);
    if (pool === undefined) {
      pool = new Agent({ connections: this.#maxConnections });
      this.#pools.set(accountKey, pool);
    }
    return pool;
  }

  /** Closes every pool once its calls are done. */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}
