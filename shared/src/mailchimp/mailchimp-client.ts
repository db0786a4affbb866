import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { RequestLimiter } from '../limits/request-limiter.ts';
import { retry } from '../retry.ts';
import { mailchimpBaseUrl, parseMailchimpApiKey } from './api-key.ts';
import { answerText, headerOf, sendRequest, type RawAnswer } from './http-exchange.ts';
import {
  MailchimpAuthError,
  MailchimpError,
  MailchimpNotFoundError,
  MailchimpRateLimitedError,
  MailchimpRequestError,
  MailchimpResponseError,
  MailchimpUnavailableError,
  type MailchimpProblemInfo,
} from './mailchimp-errors.ts';

/** Mailchimp's limits: members per page, members per batch upsert. */
export const MAILCHIMP_MAX_PAGE_SIZE = 1000;
export const MAILCHIMP_MAX_BATCH_MEMBERS = 500;
export const DEFAULT_MAILCHIMP_TIMEOUT_MS = 120_000;

export interface MailchimpClientOptions {
  /** `<key>-<dc>`; a secret, never logged. */
  readonly apiKey: string;
  /** MAILCHIMP_API_URL: the simulator, or a proxy; default `https://<dc>.api.mailchimp.com`. */
  readonly apiUrl?: string | undefined;
  /** The fleet-wide limiter of this key's account (concurrency 10): every call holds a slot. */
  readonly limiter: RequestLimiter;
  /** Whose calls these are: the limiter shares the account fairly between jobs. */
  readonly jobId: string;
  /** Per call (each try), 120 s by default. */
  readonly timeoutMs?: number;
  /** Tries per call: 429s, 5xx and network errors are retried with backoff (default 5). */
  readonly attempts?: number;
  /** First backoff wait (default 1 s), doubling up to `maxBackoffMs` (default 30 s). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** undici's connection pool to use; its global one by default. */
  readonly dispatcher?: Dispatcher;
  readonly logger?: Logger;
}

/** A member as a members page shows it (only the fields asked for are present). */
export interface MailchimpMember {
  readonly id?: string;
  readonly email_address: string;
  readonly status?: string;
  readonly merge_fields?: Readonly<Record<string, unknown>>;
  readonly last_changed?: string;
  readonly [field: string]: unknown;
}

export interface MailchimpMembersPage {
  readonly members: readonly MailchimpMember[];
  /** Members of the list (with the status filter) when the page was read. */
  readonly totalItems: number;
}

export interface MailchimpList {
  readonly id: string;
  readonly name: string;
  /** Subscribed members (Mailchimp's member_count). */
  readonly memberCount: number;
  readonly unsubscribeCount: number;
  readonly cleanedCount: number;
}

/** One member of a batch upsert. */
export interface MailchimpUpsertMember {
  readonly email_address: string;
  readonly status?: string;
  readonly status_if_new?: string;
  readonly merge_fields?: Readonly<Record<string, unknown>>;
}

export interface MailchimpBatchError {
  readonly email_address: string;
  readonly error: string;
  readonly error_code?: string | undefined;
  readonly field?: string | undefined;
  readonly field_message?: string | undefined;
}

export interface MailchimpBatchResult {
  readonly totalCreated: number;
  readonly totalUpdated: number;
  readonly errorCount: number;
  readonly errors: readonly MailchimpBatchError[];
}

export interface MailchimpClient {
  readonly dataCenter: string;
  /** GET /3.0/ping: true, or a typed error (a bad key is MailchimpAuthError with Mailchimp's detail). */
  ping(): Promise<void>;
  /** GET /3.0/?fields=account_id: the account the key belongs to. */
  accountId(): Promise<string>;
  getList(listId: string): Promise<MailchimpList>;
  /** One page of members (count ≤ 1000); `fields` names member fields (`email_address`, `merge_fields`). */
  listMembers(listId: string, page: MembersPageRequest): Promise<MailchimpMembersPage>;
  /**
   * The same page as Mailchimp sent it (its JSON, unread; parseMembersPage reads it): for a
   * caller that stores pages first, so reading a page costs no parsing while others wait.
   */
  listMembersText(listId: string, page: MembersPageRequest): Promise<string>;
  /** POST /3.0/lists/{id}: at most 500 members; per-member errors come back, not thrown. */
  batchUpsert(
    listId: string,
    members: readonly MailchimpUpsertMember[],
    options: { updateExisting: boolean },
  ): Promise<MailchimpBatchResult>;
}

const problemSchema = z
  .object({
    type: z.string().optional(),
    title: z.string().optional(),
    status: z.number().optional(),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .loose();

const listSchema = z
  .object({
    id: z.string(),
    name: z.string().default(''),
    stats: z
      .object({
        member_count: z.number().default(0),
        unsubscribe_count: z.number().default(0),
        cleaned_count: z.number().default(0),
      })
      .loose()
      .default({ member_count: 0, unsubscribe_count: 0, cleaned_count: 0 }),
  })
  .loose();

export interface MembersPageRequest {
  readonly offset: number;
  readonly count: number;
  readonly fields?: readonly string[];
  readonly status?: string;
}

const membersSchema = z
  .object({
    members: z.array(z.object({ email_address: z.string() }).loose()),
    total_items: z.number(),
  })
  .loose();

const batchSchema = z
  .object({
    total_created: z.number().default(0),
    total_updated: z.number().default(0),
    error_count: z.number().default(0),
    errors: z
      .array(
        z
          .object({
            email_address: z.string().default(''),
            error: z.string().default(''),
            error_code: z.string().optional(),
            field: z.string().optional(),
            field_message: z.string().optional(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();

/**
 * A small typed client of the Marketing API v3. Every try holds one of the account's fleet-wide
 * connection slots and gives it back before any backoff wait; 429s, 5xx and network errors are
 * retried with jittered backoff (Retry-After honoured), at most `attempts` tries.
 */
/**
 * Resolves once the calls that took slots in this turn of the event loop (the slot this call gave
 * back among them) have written their requests: undici writes them in the turn's check phase
 * (its look for a closed idle connection). Reading this answer and whatever its caller does next
 * (a page fetch stores a quarter of a megabyte) would otherwise hold them up: 6 ms on median in
 * bench:mailchimp, with the account's connections idle meanwhile. A timer comes after that phase.
 */
function handedOnCallsWritten(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function createMailchimpClient(options: MailchimpClientOptions): MailchimpClient {
  const { apiKey, dataCenter } = parseMailchimpApiKey(options.apiKey);
  const baseUrl = mailchimpBaseUrl(dataCenter, options.apiUrl);
  const authorization = `Basic ${Buffer.from(`anystring:${apiKey}`).toString('base64')}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_MAILCHIMP_TIMEOUT_MS;

  async function once(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const text = await onceText(method, path, body);
    // Parsed with the slot given back: a page's JSON costs the account's connections nothing.
    return text === '' ? {} : (JSON.parse(text) as unknown);
  }

  /** The body of a 2xx answer, JSON by its look (a proxy's HTML page is retried), or its error. */
  async function onceText(method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> {
    const answer = await exchange(method, path, body);
    await handedOnCallsWritten();
    const text = await decoded(answer);
    if (answer.status < 200 || answer.status > 299) throw errorOf(answer, text);
    if (text !== '' && !looksLikeJsonObject(text))
      throw new MailchimpUnavailableError({
        status: answer.status,
        detail: `the answer is not JSON (${headerOf(answer.headers, 'content-type') ?? 'no content type'})`,
      });
    return text;
  }

  /** One request and its whole answer, holding a slot of the account's limiter meanwhile. */
  async function exchange(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<RawAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const permit = await options.limiter.acquire({ jobId: options.jobId });
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await sendRequest(`${baseUrl}/3.0${path}`, {
        method,
        headers: {
          authorization,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: payload,
        signal,
        dispatcher: options.dispatcher,
      });
    } catch (error) {
      throw new MailchimpUnavailableError(
        {
          detail: signal.aborted
            ? `no answer within ${String(timeoutMs / 1000)} s`
            : `could not reach ${baseUrl}`,
        },
        { cause: error },
      );
    } finally {
      await permit.release();
    }
  }

  /** The answer's text, decompressed with the slot given back; a garbled body is retried. */
  async function decoded(answer: RawAnswer): Promise<string> {
    try {
      return await answerText(answer);
    } catch (error) {
      throw new MailchimpUnavailableError(
        { status: answer.status, detail: 'the answer could not be decompressed' },
        { cause: error },
      );
    }
  }

  function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    return retried(() => once(method, path, body), path);
  }

  function callText(method: 'GET' | 'POST', path: string): Promise<string> {
    return retried(() => onceText(method, path), path);
  }

  function retried<T>(run: () => Promise<T>, path: string): Promise<T> {
    return retry(run, {
      attempts: options.attempts ?? 5,
      baseMs: options.backoffMs ?? 1000,
      capMs: options.maxBackoffMs ?? 30_000,
      shouldRetry: (error) =>
        error instanceof MailchimpRateLimitedError || error instanceof MailchimpUnavailableError,
      minDelayMs: (error) =>
        error instanceof MailchimpRateLimitedError && error.retryAfterSeconds !== undefined
          ? error.retryAfterSeconds * 1000
          : undefined,
      onRetry: (error, attempt, delayMs) => {
        options.logger?.warn(
          { err: error, attempt, delayMs, dataCenter, path: path.split('?')[0] },
          'Mailchimp call failed; retrying',
        );
      },
    });
  }

  const listPath = (listId: string): string => `/lists/${encodeURIComponent(listId)}`;

  async function membersText(listId: string, page: MembersPageRequest): Promise<string> {
    if (!(Number.isInteger(page.count) && page.count >= 0 && page.count <= MAILCHIMP_MAX_PAGE_SIZE))
      throw new RangeError(`count must be an integer from 0 to ${String(MAILCHIMP_MAX_PAGE_SIZE)}`);
    if (!(Number.isInteger(page.offset) && page.offset >= 0))
      throw new RangeError('offset must be a non-negative integer');
    const query = new URLSearchParams({ offset: String(page.offset), count: String(page.count) });
    if (page.fields !== undefined)
      query.set('fields', ['total_items', ...page.fields.map((f) => `members.${f}`)].join(','));
    if (page.status !== undefined) query.set('status', page.status);
    return callText('GET', `${listPath(listId)}/members?${query.toString()}`);
  }

  return {
    dataCenter,
    async ping() {
      await call('GET', '/ping');
    },
    async accountId() {
      const body = z
        .object({ account_id: z.string() })
        .loose()
        .parse(await call('GET', '/?fields=account_id'));
      return body.account_id;
    },
    async getList(listId) {
      const fields = 'id,name,stats.member_count,stats.unsubscribe_count,stats.cleaned_count';
      const list = listSchema.parse(await call('GET', `${listPath(listId)}?fields=${fields}`));
      return {
        id: list.id,
        name: list.name,
        memberCount: list.stats.member_count,
        unsubscribeCount: list.stats.unsubscribe_count,
        cleanedCount: list.stats.cleaned_count,
      };
    },
    async listMembers(listId, page) {
      return parseMembersPage(await membersText(listId, page));
    },
    listMembersText: membersText,
    async batchUpsert(listId, members, { updateExisting }) {
      if (members.length > MAILCHIMP_MAX_BATCH_MEMBERS)
        throw new RangeError(
          `a batch upsert takes at most ${String(MAILCHIMP_MAX_BATCH_MEMBERS)} members`,
        );
      const body = batchSchema.parse(
        await call(
          'POST',
          `${listPath(listId)}?fields=total_created,total_updated,error_count,errors`,
          {
            members,
            update_existing: updateExisting,
          },
        ),
      );
      return {
        totalCreated: body.total_created,
        totalUpdated: body.total_updated,
        errorCount: body.error_count,
        errors: body.errors,
      };
    },
  };
}

/** A members page (as listMembersText answers it) read; another shape is a MailchimpResponseError. */
export function parseMembersPage(text: string): MailchimpMembersPage {
  let body: z.infer<typeof membersSchema>;
  try {
    body = membersSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new MailchimpResponseError(
      { status: 200, detail: 'a members page without its members or total_items' },
      { cause: error },
    );
  }
  return { members: body.members, totalItems: body.total_items };
}

/** First and last characters only: enough to tell JSON from an HTML page, without parsing. */
function looksLikeJsonObject(text: string): boolean {
  const blank = /\s/;
  let first = 0;
  while (first < text.length && blank.test(text.charAt(first))) first++;
  let last = text.length - 1;
  while (last > first && blank.test(text.charAt(last))) last--;
  return text.charAt(first) === '{' && text.charAt(last) === '}';
}

/** Mailchimp's problem details turned into the typed error of its status. */
function errorOf(res: RawAnswer, text: string): MailchimpError {
  let parsed: z.infer<typeof problemSchema> = {};
  try {
    parsed = problemSchema.parse(JSON.parse(text));
  } catch {
    // Not problem+json (a proxy's error page): the status says enough.
  }
  const problem: MailchimpProblemInfo = {
    status: res.status,
    detail:
      parsed.detail ?? parsed.title ?? STATUS_CODES[res.status] ?? `HTTP ${String(res.status)}`,
    ...(parsed.title === undefined ? {} : { title: parsed.title }),
    ...(parsed.type === undefined ? {} : { type: parsed.type }),
    ...(parsed.instance === undefined ? {} : { instance: parsed.instance }),
  };
  if (res.status === 401 || res.status === 403) return new MailchimpAuthError(problem);
  if (res.status === 404) return new MailchimpNotFoundError(problem);
  if (res.status === 429) {
    const retryAfter = Number(headerOf(res.headers, 'retry-after'));
    return new MailchimpRateLimitedError(problem, {
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    });
  }
  if (res.status >= 500) return new MailchimpUnavailableError(problem);
  return new MailchimpRequestError(problem);
}
