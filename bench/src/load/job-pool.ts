/** A job and the key of the tenant that owns it (another tenant's key would get 404). */
export interface OwnedJob {
  readonly id: string;
  readonly key: string;
}

/** Job ids to poll; grows while creations succeed. Picks uniformly at random. */
export class JobPool {
  readonly #jobs: OwnedJob[] = [];
  readonly #random: () => number;

  constructor(options: { random?: () => number } = {}) {
    this.#random = options.random ?? Math.random;
  }

  get size(): number {
    return this.#jobs.length;
  }

  all(): readonly OwnedJob[] {
    return [...this.#jobs];
  }

  add(job: OwnedJob): void {
    this.#jobs.push(job);
  }

  pick(): OwnedJob {
    const job = this.#jobs[Math.floor(this.#random() * this.#jobs.length)];
    if (job === undefined) throw new Error('the job pool is empty: seed it before polling');
    return job;
  }
}
