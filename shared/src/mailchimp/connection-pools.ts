import { Agent, type Dispatcher } from 'undici';
import { MAILCHIMP_MAX_CONNECTIONS } from './mailchimp-limiters.ts';

/**
 * One pool of keep-alive connections per Mailchimp account in this process, bounded at twice the
 * account's limit of simultaneous requests (which the fleet limiter keeps; Mailchimp counts
 * requests in flight, not open sockets). The limiter hands a slot to the next call the moment the
 * call before has its answer, and undici waits a full turn of the event loop before it reuses that
 * call's connection (and another before writing on any idle one): a pool of exactly 10 held each
 * handed-off call for those turns, behind whatever the worker did meanwhile (storing the page it
 * had just read): 6-7 ms on median per call in bench:mailchimp, against under 1 ms with room for
 * idle connections and a call that waits for those turns before reading its answer (the client).
 * Unbounded, a pool would open a connection (a TLS handshake with Mailchimp) for every handoff
 * that found none idle; bounded, it stops at twice the limit.
 */
export class MailchimpConnectionPools {
  readonly #pools = new Map<string, Agent>();
  readonly #maxSockets: number;

  constructor(maxConnections: number = MAILCHIMP_MAX_CONNECTIONS) {
    this.#maxSockets = 2 * maxConnections;
  }

  /** The pool of one account (`mailchimpAccountKey(dc, accountId)`): at most 2 × the limit. */
  forAccount(accountKey: string): Dispatcher {
    let pool = this.#pools.get(accountKey);
    if (pool === undefined) {
      pool = new Agent({ connections: this.#maxSockets });
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
