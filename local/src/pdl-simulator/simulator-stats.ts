/** What the simulator saw: the evidence a test reads to prove a client behaved. */
export interface PdlSimulatorStats {
  /** Requests to /v5 routes, whatever their outcome. */
  readonly requests: number;
  /** Responses by HTTP status ("200", "401", "429", …); dropped connections are not responses. */
  readonly responses: Readonly<Record<string, number>>;
  /** Requests over the configured rate (each answered 429): a well-paced client has none. */
  readonly rateLimitViolations: number;
  /** Requests that arrived while the key already had `concurrency` requests in flight. */
  readonly concurrencyViolations: number;
  /** The most requests one key had in flight at once. */
  readonly maxInFlight: number;
  /** Faults injected on purpose (not violations). */
  readonly faults: {
    readonly serviceUnavailable: number;
    readonly rateLimited: number;
    readonly dropped: number;
  };
  /** Person lookups answered (bulk items and single enrichments). */
  readonly lookups: number;
  /** Lookups that matched: each is billed one credit. */
  readonly matches: number;
  readonly notFound: number;
  /** Matches billed per API key. */
  readonly billedByKey: Readonly<Record<string, number>>;
  /** (key, person) pairs billed more than once: paying twice for what was already bought. */
  readonly repeatedMatches: readonly {
    readonly key: string;
    readonly personId: string;
    readonly times: number;
  }[];
  /** Matches billed in responses whose connection was then dropped (the caller never saw them). */
  readonly droppedMatches: number;
  /**
   * Matches billed for requests whose caller hung up before the answer (a killed worker): the
   * work was done and billed, the caller never saw it, and will ask (and pay) again.
   */
  readonly abandonedMatches: number;
}

/** The mutable counters behind `PdlSimulatorStats`. */
export class StatsRecorder {
  requests = 0;
  rateLimitViolations = 0;
  concurrencyViolations = 0;
  maxInFlight = 0;
  serviceUnavailable = 0;
  injectedRateLimited = 0;
  dropped = 0;
  lookups = 0;
  matches = 0;
  notFound = 0;
  droppedMatches = 0;
  abandonedMatches = 0;
  private readonly responses = new Map<number, number>();
  private readonly billed = new Map<string, Map<string, number>>();

  response(status: number): void {
    this.responses.set(status, (this.responses.get(status) ?? 0) + 1);
  }

  bill(key: string, personId: string): void {
    this.matches++;
    let persons = this.billed.get(key);
    if (!persons) {
      persons = new Map();
      this.billed.set(key, persons);
    }
    persons.set(personId, (persons.get(personId) ?? 0) + 1);
  }

  snapshot(): PdlSimulatorStats {
    const repeatedMatches: { key: string; personId: string; times: number }[] = [];
    const billedByKey: Record<string, number> = {};
    for (const [key, persons] of this.billed) {
      let total = 0;
      for (const [personId, times] of persons) {
        total += times;
        if (times > 1) repeatedMatches.push({ key, personId, times });
      }
      billedByKey[key] = total;
    }
    return {
      requests: this.requests,
      responses: Object.fromEntries([...this.responses].map(([s, n]) => [String(s), n])),
      rateLimitViolations: this.rateLimitViolations,
      concurrencyViolations: this.concurrencyViolations,
      maxInFlight: this.maxInFlight,
      faults: {
        serviceUnavailable: this.serviceUnavailable,
        rateLimited: this.injectedRateLimited,
        dropped: this.dropped,
      },
      lookups: this.lookups,
      matches: this.matches,
      notFound: this.notFound,
      billedByKey,
      repeatedMatches,
      droppedMatches: this.droppedMatches,
      abandonedMatches: this.abandonedMatches,
    };
  }
}
