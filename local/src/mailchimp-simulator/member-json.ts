import type { AudienceMember } from './audience.ts';

interface Cached {
  readonly selection: string;
  readonly lastChanged: string;
  readonly json: string;
}

/**
 * Each member's wire JSON under one partial-response selection, kept until the member changes
 * (`last_changed` moves with every change): a page of 1,000 members is then joined, not built
 * and serialized again. The simulator answers every account on one thread, so without it ten
 * pages due at once would each wait for the others' serializing, a delay Mailchimp, serving
 * pages on many machines, does not have.
 */
export class MemberJsonCache {
  readonly #cache = new WeakMap<AudienceMember, Cached>();

  /** The member's JSON for `selection` (a key of the fields asked for), built once by `build`. */
  json(member: AudienceMember, selection: string, build: () => unknown): string {
    const cached = this.#cache.get(member);
    if (cached?.selection === selection && cached.lastChanged === member.lastChanged)
      return cached.json;
    const json = JSON.stringify(build());
    this.#cache.set(member, { selection, lastChanged: member.lastChanged, json });
    return json;
  }
}
