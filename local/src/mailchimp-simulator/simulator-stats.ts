/** Routes of the simulated Marketing API subset. */
export const MAILCHIMP_ROUTES = ['ping', 'root', 'list', 'members', 'batch'] as const;
export type MailchimpRoute = (typeof MAILCHIMP_ROUTES)[number];

/** What the simulator saw: the evidence a test or a benchmark reads to prove a client behaved. */
export interface MailchimpSimulatorStats {
  /** Requests to /3.0 routes, whatever their outcome. */
  readonly requests: number;
  readonly requestsByRoute: Readonly<Record<MailchimpRoute, number>>;
  /** Responses by HTTP status ("200", "401", "429", …). */
  readonly responses: Readonly<Record<string, number>>;
  /** Requests that arrived while their account already had the most connections in flight. */
  readonly connectionViolations: number;
  /** The most requests one account had in flight at once (all accounts). */
  readonly maxConnections: number;
  readonly maxConnectionsByAccount: Readonly<Record<string, number>>;
  /** Requests answered by an injected fault (`injectFault`, `POST /_sim/faults`). */
  readonly faults: number;
  /** Members pages answered 200 (each counts once, whatever its size). */
  readonly pagesServed: number;
  /** Per list: member reads in members pages, distinct members read, members read twice or more. */
  readonly membersRead: Readonly<
    Record<string, { readonly reads: number; readonly distinct: number; readonly repeated: number }>
  >;
  /** Batch upserts: members sent, created, updated (something changed), unchanged, refused. */
  readonly upserts: {
    readonly requests: number;
    readonly members: number;
    readonly created: number;
    readonly updated: number;
    readonly unchanged: number;
    readonly errors: number;
  };
}

/** The mutable counters behind `MailchimpSimulatorStats`. */
export class StatsRecorder {
  requests = 0;
  connectionViolations = 0;
  pagesServed = 0;
  faults = 0;
  readonly upserts = { requests: 0, members: 0, created: 0, updated: 0, unchanged: 0, errors: 0 };
  readonly #routes = new Map<MailchimpRoute, number>();
  readonly #responses = new Map<number, number>();
  readonly #maxByAccount = new Map<string, number>();
  /** list → member email (lower-cased) → times read, up to the pages in #unfoldedReads. */
  readonly #reads = new Map<string, Map<string, number>>();
  readonly #unfoldedReads: { readonly listId: string; readonly emails: readonly string[] }[] = [];
  /** list → member email (lower-cased) → upserts that named it. */
  readonly #upserted = new Map<string, Map<string, number>>();

  route(route: MailchimpRoute): void {
    this.requests++;
    this.#routes.set(route, (this.#routes.get(route) ?? 0) + 1);
  }

  response(status: number): void {
    this.#responses.set(status, (this.#responses.get(status) ?? 0) + 1);
  }

  connections(accountId: string, inFlight: number): void {
    this.#maxByAccount.set(accountId, Math.max(this.#maxByAccount.get(accountId) ?? 0, inFlight));
  }

  /**
   * The members of a page, counted when the stats are asked for: a page's thousand counts would
   * otherwise hold up, on this one thread, the requests arriving meanwhile (Mailchimp serves
   * them on machines of its own, so their latency must not start late).
   */
  readPage(listId: string, emails: readonly string[]): void {
    this.#unfoldedReads.push({ listId, emails });
  }

  upserted(listId: string, email: string): void {
    count(this.#upserted, listId, email.toLowerCase());
  }

  /** Times each member of a list was read (lower-cased email → times). */
  readsOf(listId: string): ReadonlyMap<string, number> {
    this.#foldReads();
    return new Map(this.#reads.get(listId) ?? []);
  }

  /** Upserts that named each member of a list (lower-cased email → times). */
  upsertsOf(listId: string): ReadonlyMap<string, number> {
    return new Map(this.#upserted.get(listId) ?? []);
  }

  snapshot(): MailchimpSimulatorStats {
    this.#foldReads();
    const membersRead: Record<string, { reads: number; distinct: number; repeated: number }> = {};
    for (const [listId, members] of this.#reads) {
      let reads = 0;
      let repeated = 0;
      for (const times of members.values()) {
        reads += times;
        if (times > 1) repeated++;
      }
      membersRead[listId] = { reads, distinct: members.size, repeated };
    }
    const byAccount = Object.fromEntries(this.#maxByAccount);
    return {
      requests: this.requests,
      requestsByRoute: Object.fromEntries(
        MAILCHIMP_ROUTES.map((r) => [r, this.#routes.get(r) ?? 0]),
      ) as Record<MailchimpRoute, number>,
      responses: Object.fromEntries([...this.#responses].map(([s, n]) => [String(s), n])),
      connectionViolations: this.connectionViolations,
      maxConnections: Math.max(0, ...this.#maxByAccount.values()),
      maxConnectionsByAccount: byAccount,
      faults: this.faults,
      pagesServed: this.pagesServed,
      membersRead,
      upserts: { ...this.upserts },
    };
  }

  #foldReads(): void {
    for (const { listId, emails } of this.#unfoldedReads.splice(0))
      for (const email of emails) count(this.#reads, listId, email.toLowerCase());
  }
}

function count(maps: Map<string, Map<string, number>>, listId: string, key: string): void {
  let map = maps.get(listId);
  if (!map) {
    map = new Map();
    maps.set(listId, map);
  }
  map.set(key, (map.get(key) ?? 0) + 1);
}
