import { createHash } from 'node:crypto';

export const MEMBER_STATUSES = [
  'subscribed',
  'unsubscribed',
  'cleaned',
  'pending',
  'transactional',
] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** Mailchimp's address merge field (an empty one is answered as ""). */
export interface MailchimpAddress {
  readonly addr1: string;
  readonly addr2: string;
  readonly city: string;
  readonly state: string;
  readonly zip: string;
  readonly country: string;
}

export type MergeValue = string | MailchimpAddress;
export type MergeFields = Readonly<Record<string, MergeValue>>;

export interface AudienceMember {
  /** The subscriber hash: MD5 of the lower-cased email (Mailchimp's member id). */
  readonly id: string;
  readonly email: string;
  readonly status: MemberStatus;
  readonly mergeFields: MergeFields;
  readonly lastChanged: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type StoredMember = Mutable<AudienceMember>;

export interface NewMember {
  readonly email: string;
  readonly status?: MemberStatus;
  readonly mergeFields?: MergeFields;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** Mailchimp's member id: the MD5 hash of the lower-cased email address. */
export function subscriberHash(email: string): string {
  return createHash('md5').update(email.trim().toLowerCase()).digest('hex');
}

/**
 * One audience (list). Members keep the order they joined in, and paging by offset reads that
 * order, as Mailchimp's does: a member removed mid-import shifts every later member one place
 * earlier, and a member added mid-import lands at the end.
 */
export class Audience {
  readonly id: string;
  readonly name: string;
  readonly accountId: string;
  readonly webId: number;
  readonly dateCreated: string;
  #members: StoredMember[];
  readonly #byId = new Map<string, StoredMember>();
  /** The clock of `last_changed`: a fixed start so a seed gives the same audience every day. */
  #tick = Date.UTC(2026, 0, 1);

  constructor(options: {
    id: string;
    name: string;
    accountId: string;
    webId: number;
    members: readonly NewMember[];
  }) {
    this.id = options.id;
    this.name = options.name;
    this.accountId = options.accountId;
    this.webId = options.webId;
    this.dateCreated = new Date(this.#tick).toISOString();
    this.#members = [];
    for (const member of options.members) this.add(member);
  }

  get size(): number {
    return this.#members.length;
  }

  /** Members with this status (all of them when absent), in audience order. */
  filtered(status: MemberStatus | undefined): readonly AudienceMember[] {
    return status === undefined ? this.#members : this.#members.filter((m) => m.status === status);
  }

  count(status: MemberStatus): number {
    let n = 0;
    for (const member of this.#members) if (member.status === status) n++;
    return n;
  }

  get(email: string): AudienceMember | undefined {
    return this.#byId.get(subscriberHash(email));
  }

  /** Adds a member at the end; false when the email is already a member. */
  add(input: NewMember): boolean {
    const id = subscriberHash(input.email);
    if (this.#byId.has(id)) return false;
    const member: StoredMember = {
      id,
      email: input.email.trim(),
      status: input.status ?? 'subscribed',
      mergeFields: { ...input.mergeFields },
      lastChanged: this.#now(),
    };
    this.#members.push(member);
    this.#byId.set(id, member);
    return true;
  }

  /** Deletes members for good; answers how many there were. */
  remove(emails: readonly string[]): number {
    const ids = new Set(emails.map(subscriberHash).filter((id) => this.#byId.has(id)));
    if (ids.size === 0) return 0;
    this.#members = this.#members.filter((m) => !ids.has(m.id));
    for (const id of ids) this.#byId.delete(id);
    return ids.size;
  }

  /** Changes an existing member's merge fields (and status); reports whether anything changed. */
  update(
    email: string,
    change: { status?: MemberStatus; mergeFields?: MergeFields },
  ): UpsertOutcome {
    const id = subscriberHash(email);
    const current = this.#byId.get(id);
    if (!current) throw new Error(`${email} is not a member of ${this.id}`);
    const mergeFields = { ...current.mergeFields, ...change.mergeFields };
    const status = change.status ?? current.status;
    const changed =
      status !== current.status ||
      Object.entries(change.mergeFields ?? {}).some(
        ([name, value]) =>
          JSON.stringify(current.mergeFields[name] ?? '') !== JSON.stringify(value),
      );
    if (!changed) return 'unchanged';
    // Changed in place: the member keeps its place in the order (and updates stay O(1)).
    current.status = status;
    current.mergeFields = mergeFields;
    current.lastChanged = this.#now();
    return 'updated';
  }

  #now(): string {
    this.#tick += 1000;
    return new Date(this.#tick).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  }
}
