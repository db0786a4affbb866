import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenSimulator } from '../listen-simulator.ts';
import {
  Audience,
  MEMBER_STATUSES,
  subscriberHash,
  type AudienceMember,
  type MemberStatus,
  type MergeFields,
  type NewMember,
} from './audience.ts';
import { FaultPlan, mailchimpFaultSchema, type MailchimpFault } from './faults.ts';
import { MemberJsonCache } from './member-json.ts';
import { generatedAudienceMembers, sampleAudienceMembers } from './sample-audience.ts';
import {
  resolveMailchimpSimulatorOptions,
  SAMPLE_LIST_ID,
  type MailchimpSimulatorOptions,
  type ResolvedMailchimpSimulatorOptions,
} from './simulator-options.ts';
import {
  StatsRecorder,
  type MailchimpRoute,
  type MailchimpSimulatorStats,
} from './simulator-stats.ts';
import {
  batchBodySchema,
  complianceStateError,
  isPlausibleEmail,
  listForWire,
  memberForWire,
  MAX_TEXT_MERGE_CHARS,
  partialResponse,
  PROBLEMS,
  type BatchError,
  type MailchimpProblem,
} from './wire-format.ts';

/** A running Mailchimp Marketing API (v3 subset) simulator. */
export interface MailchimpSimulator {
  /** Base URL, e.g. http://127.0.0.1:4571 (what MAILCHIMP_API_URL points at). */
  readonly url: string;
  readonly options: ResolvedMailchimpSimulatorOptions;
  /** The first account's first key (`<hex>-us1`). */
  readonly apiKey: string;
  /** The sample audience (of the first account); absent when `sampleSize` is 0. */
  readonly sampleListId: string | undefined;
  stats(): MailchimpSimulatorStats;
  /** Times each member of a list was served in a members page (lower-cased email → times). */
  readsOf(listId: string): ReadonlyMap<string, number>;
  /** Batch upserts that named each member of a list (lower-cased email → times). */
  upsertsOf(listId: string): ReadonlyMap<string, number>;
  /** A new audience of `size` generated members (cheap: 100,000 in well under a second). */
  createAudience(options: {
    size: number;
    seed?: number;
    id?: string;
    name?: string;
    /** Default: the first account. */
    accountId?: string;
    members?: readonly NewMember[];
  }): string;
  /** Adds members at the end of a list (as if they subscribed mid-import); answers how many were new. */
  addMembers(listId: string, members: readonly NewMember[]): number;
  /** Deletes members for good (later members move one place up); answers how many there were. */
  removeMembers(listId: string, emails: readonly string[]): number;
  /** A copy of a list's members, in list order. */
  members(listId: string): readonly AudienceMember[];
  /**
   * Puts members of a list in a compliance state (unsubscribed, bounced or under compliance
   * review, as Mailchimp says): every batch upsert naming one refuses it with ERROR_GENERIC.
   * Answers how many of the emails are members.
   */
  holdInCompliance(listId: string, emails: readonly string[]): number;
  /** The next `times` requests of `route` answer `status` (see MailchimpFault). */
  injectFault(fault: MailchimpFault): void;
  /** Forgets the counters (not the audiences, not the requests in flight). */
  reset(): void;
  /** Stops listening and cuts open connections. Safe to call twice. */
  close(): Promise<void>;
}

export interface MailchimpSimulatorDependencies {
  /**
   * Called as each admitted members page is about to be read, as it arrives (its answer follows
   * the latency): a test adds or removes members here to show what an import sees when the
   * audience changes under it, or holds the page (longer than the latency, if it likes).
   */
  readonly onMembersPage?: (page: {
    readonly listId: string;
    readonly offset: number;
    readonly count: number;
  }) => void | Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** The body already serialized and encoded (a members page, made within its latency). */
  readonly json?: Buffer;
  readonly headers?: Record<string, string>;
}

/**
 * Starts the simulator: GET /3.0/, /3.0/ping, /3.0/lists/{id}, /3.0/lists/{id}/members and
 * POST /3.0/lists/{id} (batch subscribe), plus GET /_sim/stats, POST /_sim/reset,
 * POST /_sim/lists (a generated audience), POST /_sim/lists/{id}/compliance (members refused by
 * batch upserts) and POST /_sim/faults (failing requests) for tests and benchmarks.
 */
export async function startMailchimpSimulator(
  input: MailchimpSimulatorOptions = {},
  dependencies: MailchimpSimulatorDependencies = {},
): Promise<MailchimpSimulator> {
  const options = resolveMailchimpSimulatorOptions(input);
  const accountOfKey = new Map<string, string>();
  for (const account of options.accounts)
    for (const key of account.apiKeys) accountOfKey.set(key, account.id);
  const firstAccount = options.accounts[0];
  if (firstAccount === undefined) throw new Error('no account');
  const defaultAccountId = firstAccount.id;
  const audiences = new Map<string, Audience>();
  let stats = new StatsRecorder();
  const inFlight = new Map<string, number>();
  let audienceCount = 0;
  const faults = new FaultPlan();
  const memberJsons = new MemberJsonCache();
  /** list → subscriber hashes of the members in a compliance state. */
  const compliance = new Map<string, Set<string>>();

  function createAudience(spec: {
    size: number;
    seed?: number;
    id?: string;
    name?: string;
    accountId?: string;
    members?: readonly NewMember[];
  }): string {
    audienceCount++;
    const id = spec.id ?? listIdFor(options.seed, audienceCount);
    if (audiences.has(id)) throw new Error(`list ${id} exists already`);
    const accountId = spec.accountId ?? defaultAccountId;
    if (!options.accounts.some((a) => a.id === accountId))
      throw new Error(`no account ${accountId}`);
    const members =
      spec.members ??
      generatedAudienceMembers({ size: spec.size, seed: spec.seed ?? options.seed });
    audiences.set(
      id,
      new Audience({
        id,
        name: spec.name ?? `Generated audience ${String(audienceCount)}`,
        accountId,
        webId: 100_000 + audienceCount,
        members,
      }),
    );
    return id;
  }

  const sampleListId =
    options.sampleSize > 0
      ? createAudience({
          id: SAMPLE_LIST_ID,
          name: 'Sample audience',
          size: options.sampleSize,
          members: sampleAudienceMembers({ size: options.sampleSize, seed: options.seed }),
        })
      : undefined;

  function audience(listId: string): Audience {
    const found = audiences.get(listId);
    if (!found) throw new Error(`no list ${listId}`);
    return found;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Reply> {
    const arrivedAt = performance.now();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const simulatorReply = await handleSimulatorRoute(req, url);
    if (simulatorReply) return simulatorReply;
    const target = routeOf(url.pathname, req.method ?? 'GET');
    if (target === undefined) return { status: 404, body: PROBLEMS.notFound() };
    if (target === 'method') return { status: 405, body: PROBLEMS.methodNotAllowed() };
    stats.route(target.route);

    const key = apiKeyOf(req);
    if (key === undefined) return { status: 401, body: PROBLEMS.keyMissing() };
    const accountId = accountOfKey.get(key);
    if (accountId === undefined) return { status: 401, body: PROBLEMS.keyInvalid() };

    const running = inFlight.get(accountId) ?? 0;
    if (running >= options.maxConnections) {
      stats.connectionViolations++;
      return { status: 429, body: PROBLEMS.tooManyRequests(options.maxConnections) };
    }
    inFlight.set(accountId, running + 1);
    stats.connections(accountId, running + 1);
    res.once('close', () => {
      inFlight.set(accountId, (inFlight.get(accountId) ?? 1) - 1);
    });

    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const list = target.listId === undefined ? undefined : audiences.get(target.listId);
    // Another account's list does not exist, as far as this key can tell.
    if (target.listId !== undefined && list?.accountId !== accountId)
      return { status: 404, body: PROBLEMS.notFound() };
    const fault = faults.take(target.route);
    if (fault !== undefined && !fault.afterApplying) {
      // A failing page or batch takes as long as one that works.
      if (slowRoute(target.route) && options.latencyMs > 0) await sleep(options.latencyMs);
      stats.faults++;
      return { status: fault.status, body: PROBLEMS.fault(fault.status) };
    }
    const fields = url.searchParams.get('fields');
    const exclude = url.searchParams.get('exclude_fields');
    const partial = (value: Record<string, unknown>): Record<string, unknown> =>
      partialResponse(value, fields, exclude);

    switch (target.route) {
      case 'ping':
        return { status: 200, body: partial({ health_status: "Everything's Chimpy!" }) };
      case 'root': {
        const account = options.accounts.find((a) => a.id === accountId);
        return {
          status: 200,
          body: partial({
            account_id: accountId,
            login_id: accountId,
            account_name: account?.name ?? '',
            email: `owner@${accountId}.example`,
            role: 'owner',
            total_subscribers: [...audiences.values()]
              .filter((a) => a.accountId === accountId)
              .reduce((n, a) => n + a.count('subscribed'), 0),
          }),
        };
      }
      case 'list':
        return { status: 200, body: partial(listForWire(list as Audience)) };
      case 'members':
        return membersPage(
          list as Audience,
          url,
          partial,
          `${fields ?? ''}\n${exclude ?? ''}`,
          arrivedAt,
        );
      case 'batch': {
        if (options.latencyMs > 0) await sleep(options.latencyMs);
        const applied = batchUpsert(list as Audience, body);
        if (fault === undefined) return applied;
        stats.faults++;
        return { status: fault.status, body: PROBLEMS.fault(fault.status) };
      }
    }
  }

  async function membersPage(
    list: Audience,
    url: URL,
    partial: (value: Record<string, unknown>) => Record<string, unknown>,
    selection: string,
    arrivedAt: number,
  ): Promise<Reply> {
    const offset = integerParam(url, 'offset', 0);
    const count = integerParam(url, 'count', 10);
    if (offset === undefined || offset < 0)
      return { status: 400, body: PROBLEMS.invalid('offset must be a non-negative integer.') };
    if (count === undefined || count < 0)
      return { status: 400, body: PROBLEMS.invalid('count must be a non-negative integer.') };
    if (count > options.maxPageSize)
      return {
        status: 400,
        body: PROBLEMS.invalid(
          `The count parameter must be ${String(options.maxPageSize)} or less.`,
        ),
      };
    const statusParam = url.searchParams.get('status');
    if (statusParam !== null && !(MEMBER_STATUSES as readonly string[]).includes(statusParam))
      return { status: 400, body: PROBLEMS.invalid(`Invalid status: ${statusParam}.`) };
    await dependencies.onMembersPage?.({ listId: list.id, offset, count });
    const all = list.filtered((statusParam ?? undefined) as MemberStatus | undefined);
    const page = all.slice(offset, offset + count);
    stats.readPage(
      list.id,
      page.map((member) => member.email),
    );
    stats.pagesServed++;
    const json = Buffer.from(pageJson(page, list.id, all.length, partial, selection));
    // The latency is the page's response time, its own reading and writing included: Mailchimp
    // serves pages on many machines at once, so one page's work never delays another's answer
    // (done after the latency on this one thread, ten pages due together would answer in turn).
    const left = options.latencyMs - (performance.now() - arrivedAt);
    if (left > 0) await sleep(left);
    return { status: 200, body: undefined, json };
  }

  /**
   * The members page as `partial` shapes it, members' JSON from the cache: a partial response
   * shapes each member of the array alike, so a member's JSON under the selection is the
   * member's part of the page's.
   */
  function pageJson(
    page: readonly AudienceMember[],
    listId: string,
    totalItems: number,
    partial: (value: Record<string, unknown>) => Record<string, unknown>,
    selection: string,
  ): string {
    const { members, ...rest } = partial({
      members: [],
      list_id: listId,
      total_items: totalItems,
      _links: [],
    });
    const others = JSON.stringify(rest);
    if (members === undefined) return others;
    const key = `${listId}\n${selection}`;
    const memberJson = page.map((member) =>
      memberJsons.json(member, key, () => {
        const shaped = partial({ members: [memberForWire(member, listId)] }).members;
        return (shaped as unknown[])[0];
      }),
    );
    return `{"members":[${memberJson.join(',')}]${others === '{}' ? '' : `,${others.slice(1, -1)}`}}`;
  }

  function batchUpsert(list: Audience, raw: JsonBody | undefined): Reply {
    if (raw === undefined || !raw.ok) return { status: 400, body: PROBLEMS.badJson() };
    const parsed = batchBodySchema.safeParse(raw.value);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ');
      return {
        status: 400,
        body: PROBLEMS.invalid(`The resource submitted could not be validated. ${detail}`),
      };
    }
    const { members, update_existing: updateExisting } = parsed.data;
    if (members.length > options.maxBatchMembers)
      return {
        status: 400,
        body: PROBLEMS.invalid(
          `You can only add up to ${String(options.maxBatchMembers)} members at a time (got ${String(members.length)}).`,
        ),
      };
    stats.upserts.requests++;
    const created: unknown[] = [];
    const updated: unknown[] = [];
    const errors: BatchError[] = [];
    for (const member of members) {
      stats.upserts.members++;
      const email = member.email_address;
      stats.upserted(list.id, email);
      const refused = (error: string, code: string, field = '', fieldMessage = ''): void => {
        stats.upserts.errors++;
        errors.push({
          email_address: email,
          error,
          error_code: code,
          field,
          field_message: fieldMessage,
        });
      };
      if (!isPlausibleEmail(email)) {
        refused(
          `${email} looks fake or invalid, please enter a real email address.`,
          'ERROR_GENERIC',
          'email_address',
          'Please provide a valid email address.',
        );
        continue;
      }
      if (compliance.get(list.id)?.has(subscriberHash(email)) === true) {
        refused(complianceStateError(email), 'ERROR_GENERIC');
        continue;
      }
      const mergeFields = (member.merge_fields ?? {}) as MergeFields;
      const tooLong = overlongText(mergeFields);
      if (tooLong !== undefined) {
        refused(
          'Your merge fields were invalid.',
          'ERROR_GENERIC',
          tooLong,
          `Please enter a value of ${String(MAX_TEXT_MERGE_CHARS)} characters or fewer.`,
        );
        continue;
      }
      const badAddress = incompleteAddress(mergeFields);
      if (badAddress !== undefined) {
        refused(
          'Your merge fields were invalid.',
          'ERROR_GENERIC',
          badAddress,
          'Please enter a complete address',
        );
        continue;
      }
      const existing = list.get(email);
      if (existing) {
        if (!updateExisting) {
          refused(
            `${email} is already a list member. Use PUT to insert or update list members.`,
            'ERROR_CONTACT_EXISTS',
          );
          continue;
        }
        const outcome = list.update(email, {
          ...(member.status === undefined ? {} : { status: member.status }),
          mergeFields,
        });
        if (outcome === 'updated') stats.upserts.updated++;
        else stats.upserts.unchanged++;
        updated.push(memberForWire(list.get(email) as AudienceMember, list.id));
        continue;
      }
      const status = member.status ?? member.status_if_new;
      if (status === undefined) {
        refused('Status is required for a new member.', 'ERROR_GENERIC', 'status', 'required');
        continue;
      }
      list.add({ email, status, mergeFields });
      stats.upserts.created++;
      created.push(memberForWire(list.get(email) as AudienceMember, list.id));
    }
    return {
      status: 200,
      body: {
        new_members: created,
        updated_members: updated,
        errors,
        total_created: created.length,
        total_updated: updated.length,
        error_count: errors.length,
        _links: [],
      },
    };
  }

  async function handleSimulatorRoute(req: IncomingMessage, url: URL): Promise<Reply | undefined> {
    if (url.pathname === '/_sim/stats' && req.method === 'GET')
      return { status: 200, body: stats.snapshot() };
    if (url.pathname === '/_sim/reset' && req.method === 'POST') {
      stats = new StatsRecorder();
      return { status: 200, body: { reset: true } };
    }
    if (url.pathname === '/_sim/faults' && req.method === 'POST') {
      const body = await readJson(req);
      const parsed = mailchimpFaultSchema.safeParse(body.ok ? body.value : undefined);
      if (!parsed.success) return { status: 400, body: PROBLEMS.invalid(parsed.error.message) };
      faults.add(parsed.data);
      return { status: 201, body: { pending: faults.pending } };
    }
    const held = /^\/_sim\/lists\/([^/]+)\/compliance$/.exec(url.pathname);
    if (held?.[1] !== undefined && req.method === 'POST') {
      const listId = decodeURIComponent(held[1]);
      const body = await readJson(req);
      const emails = body.ok ? (body.value as { emails?: unknown }).emails : undefined;
      if (!Array.isArray(emails) || !emails.every((e) => typeof e === 'string'))
        return { status: 400, body: PROBLEMS.invalid('expected {"emails": ["…"]}') };
      if (!audiences.has(listId)) return { status: 404, body: PROBLEMS.notFound() };
      return { status: 200, body: { held: holdInCompliance(listId, emails) } };
    }
    if (url.pathname === '/_sim/lists' && req.method === 'POST') {
      const body = await readJson(req);
      const spec = body.ok ? (body.value as { size?: unknown; seed?: unknown }) : {};
      const size = typeof spec.size === 'number' && Number.isInteger(spec.size) ? spec.size : 0;
      const seed = typeof spec.seed === 'number' ? spec.seed : options.seed;
      return { status: 201, body: { id: createAudience({ size, seed }), size } };
    }
    return undefined;
  }

  function holdInCompliance(listId: string, emails: readonly string[]): number {
    const list = audience(listId);
    const held = compliance.get(listId) ?? new Set<string>();
    compliance.set(listId, held);
    let members = 0;
    for (const email of emails) {
      held.add(subscriberHash(email));
      if (list.get(email) !== undefined) members++;
    }
    return members;
  }

  const server = createServer((req, res) => {
    handle(req, res).then(
      (answer) => {
        if (!(req.url ?? '').startsWith('/_sim/')) stats.response(answer.status);
        send(res, answer);
      },
      (error: unknown) => {
        // A bug in the simulator must show, not hang the caller: answer 500 and say why.
        console.error('mailchimp simulator: request failed', error);
        if (!res.headersSent)
          send(res, {
            status: 500,
            body: {
              ...PROBLEMS.notFound(),
              status: 500,
              title: 'Internal Server Error',
              detail: String(error),
            },
          });
        else res.destroy();
      },
    );
  });
  await listenSimulator(server, {
    what: 'The Mailchimp simulator',
    host: options.host,
    port: options.port,
    variable: 'MAILCHIMP_SIM_PORT',
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${options.host}:${String(port)}`,
    options,
    apiKey: firstAccount.apiKeys[0] ?? '',
    sampleListId,
    stats: () => stats.snapshot(),
    readsOf: (listId) => stats.readsOf(listId),
    upsertsOf: (listId) => stats.upsertsOf(listId),
    createAudience,
    addMembers(listId, members) {
      const list = audience(listId);
      return members.filter((m) => list.add(m)).length;
    },
    removeMembers: (listId, emails) => audience(listId).remove(emails),
    members: (listId) =>
      audience(listId)
        .filtered(undefined)
        .map((m) => ({ ...m })),
    holdInCompliance,
    injectFault(fault) {
      faults.add(fault);
    },
    reset() {
      stats = new StatsRecorder();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

type Target = { readonly route: MailchimpRoute; readonly listId?: string } | 'method' | undefined;

function routeOf(pathname: string, method: string): Target {
  const path = pathname.replace(/\/+$/, '');
  const only = (allowed: string, route: MailchimpRoute, listId?: string): Target =>
    method === allowed ? { route, ...(listId === undefined ? {} : { listId }) } : 'method';
  if (path === '/3.0') return only('GET', 'root');
  if (path === '/3.0/ping') return only('GET', 'ping');
  const members = /^\/3\.0\/lists\/([^/]+)\/members$/.exec(path);
  if (members?.[1] !== undefined) return only('GET', 'members', decodeURIComponent(members[1]));
  const list = /^\/3\.0\/lists\/([^/]+)$/.exec(path);
  if (list?.[1] !== undefined) {
    const listId = decodeURIComponent(list[1]);
    if (method === 'GET') return { route: 'list', listId };
    if (method === 'POST') return { route: 'batch', listId };
    return 'method';
  }
  return undefined;
}

/**
 * The key from HTTP Basic (`anystring:<key>`, Mailchimp's documented way), the older
 * `apikey <key>` scheme, or a Bearer token (how OAuth tokens are sent; the simulator takes its
 * keys there too).
 */
function apiKeyOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  switch (scheme.toLowerCase()) {
    case 'basic': {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon < 0 ? undefined : decoded.slice(colon + 1);
    }
    case 'apikey':
    case 'bearer':
      return value === '' ? undefined : value;
    default:
      return undefined;
  }
}

function integerParam(url: URL, name: string, fallback: number): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return fallback;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Members pages and batch upserts take the simulator's latency; the other routes answer at once. */
function slowRoute(route: MailchimpRoute): boolean {
  return route === 'members' || route === 'batch';
}

/** The first text merge field longer than Mailchimp keeps. */
function overlongText(mergeFields: MergeFields): string | undefined {
  for (const [name, value] of Object.entries(mergeFields))
    if (typeof value === 'string' && value.length > MAX_TEXT_MERGE_CHARS) return name;
  return undefined;
}

/** An address merge field given as an object needs its street, city, state and zip. */
function incompleteAddress(mergeFields: MergeFields): string | undefined {
  for (const [name, value] of Object.entries(mergeFields)) {
    if (typeof value !== 'object') continue;
    if (!value.addr1 || !value.city || !value.state || !value.zip) return name;
  }
  return undefined;
}

/** Mailchimp's list ids are ten hex digits; these follow from the seed. */
function listIdFor(seed: number, n: number): string {
  return ((seed * 0x9e37 + n * 0x2545f) >>> 0).toString(16).padStart(10, 'a').slice(-10);
}

type JsonBody = { ok: true; value: unknown } | { ok: false };

async function readJson(req: IncomingMessage): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { ok: false };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const text = reply.json ?? JSON.stringify(reply.body);
  const isProblem = typeof reply.body === 'object' && reply.body !== null && 'detail' in reply.body;
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': isProblem
      ? 'application/problem+json; charset=utf-8'
      : 'application/json; charset=utf-8',
    'content-length': String(typeof text === 'string' ? Buffer.byteLength(text) : text.length),
  });
  res.end(text);
}

export type { MailchimpProblem };
