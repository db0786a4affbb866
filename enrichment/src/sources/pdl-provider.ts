import { createHash } from 'node:crypto';
import { EnrichmentOptionsError } from '../errors.ts';
import { lookupInBatches } from './lookup-in-batches.ts';
import { pdlParams, pdlPersonCells, pdlPersonId, PDL_DATA_INCLUDE } from './pdl-person.ts';
import { ProviderUnauthorizedError } from './provider-errors.ts';
import type { ContactProvider, LookupOptions, ProviderAnswer, ProviderQuery } from './provider.ts';
import {
  createProviderTransport,
  describeErrorBody,
  ProviderRejectedError,
  type ProviderCircuitOptions,
  type ProviderLogger,
  type ProviderRetryOptions,
} from './provider-transport.ts';
import type { RequestLimiter } from './request-limiter.ts';

/*
 * People Data Labs bulk person enrichment (POST /v5/person/bulk): up to 100 lookups per request,
 * answered in request order with one `{status, likelihood, data, metadata}` per lookup. PDL
 * bills per match: a 200 is billed, a 404 (no match, or below min_likelihood) is free.
 */

export const PDL_PROVIDER_NAME = 'pdl';

/** Names a PDL account by a digest of its key, so neither caches nor limiters hold the key. */
export function pdlAccount(apiKey: string): string {
  return `${PDL_PROVIDER_NAME}#${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}
/** The API's own limit of lookups per bulk request. */
export const PDL_MAX_BATCH_SIZE = 100;

export interface PdlProviderOptions {
  /** `PDL_API_URL`, e.g. https://api.peopledatalabs.com (a simulator's address in tests). */
  readonly apiUrl: string;
  /** `PDL_API_KEY`; sent only as the X-Api-Key header, never logged or returned. */
  readonly apiKey: string;
  /** Lookups per bulk request, 1–100 (`PDL_BATCH_SIZE`). */
  readonly batchSize: number;
  /** PDL answers 404 (free) for matches below this likelihood, 1–10 (`PDL_MIN_LIKELIHOOD`). */
  readonly minLikelihood: number;
  /** One permit per HTTP request, fleet-wide. */
  readonly limiter: RequestLimiter;
  /** PDL's `required` expression, e.g. "emails OR phone_numbers": no match without it. */
  readonly required?: string | undefined;
  /** Bulk requests of one lookup call in flight at once (the limiter still caps the fleet). Default 2. */
  readonly concurrency?: number | undefined;
  readonly fetch?: typeof fetch | undefined;
  /** Per request try. Default 30 s. */
  readonly timeoutMs?: number | undefined;
  readonly logger?: ProviderLogger | undefined;
  readonly retry?: ProviderRetryOptions | undefined;
  readonly circuit?: ProviderCircuitOptions | undefined;
}

interface PdlBulkItem {
  readonly status?: unknown;
  readonly likelihood?: unknown;
  readonly data?: unknown;
  readonly metadata?: unknown;
  readonly error?: unknown;
}

/**
 * A ContactProvider for PDL. Create one per process: its circuit breaker and rate-limit
 * hold-off are shared by every job the process runs.
 */
export function createPdlProvider(options: PdlProviderOptions): ContactProvider {
  const { apiKey, batchSize, minLikelihood } = options;
  const endpoint = bulkEndpoint(options.apiUrl);
  if (apiKey.trim() === '') throw new EnrichmentOptionsError('pdl: apiKey must not be empty');
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > PDL_MAX_BATCH_SIZE)
    throw new EnrichmentOptionsError(
      `pdl: batchSize must be an integer from 1 to ${PDL_MAX_BATCH_SIZE} (got ${batchSize})`,
    );
  if (!Number.isInteger(minLikelihood) || minLikelihood < 1 || minLikelihood > 10)
    throw new EnrichmentOptionsError(
      `pdl: minLikelihood must be an integer from 1 to 10 (got ${minLikelihood})`,
    );
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new EnrichmentOptionsError(
      `pdl: concurrency must be a positive integer (got ${concurrency})`,
    );

  const transport = createProviderTransport({
    provider: PDL_PROVIDER_NAME,
    limiter: options.limiter,
    secrets: [apiKey],
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.circuit === undefined ? {} : { circuit: options.circuit }),
  });
  const redact = (text: string): string => text.split(apiKey).join('[redacted]');

  const shared: Record<string, string | number | boolean> = {
    min_likelihood: minLikelihood,
    // Names and companies come back lower-case otherwise.
    titlecase: true,
    data_include: PDL_DATA_INCLUDE,
    ...(options.required === undefined ? {} : { required: options.required }),
  };

  async function lookupBatch(
    batch: readonly ProviderQuery[],
    lookup: LookupOptions,
  ): Promise<ProviderAnswer[]> {
    const body = {
      requests: batch.map((query) => ({
        params: { ...pdlParams(query.fields), ...shared },
        metadata: { key: query.key },
      })),
    };
    let items: unknown;
    try {
      const response = await transport.postJson(
        { url: endpoint, headers: { 'x-api-key': apiKey }, body },
        lookup,
      );
      items = response.body;
    } catch (error) {
      // The whole request was refused (400, 402 out of credits, 413…): each of its rows fails.
      if (error instanceof ProviderRejectedError)
        return batch.map((query) =>
          failed(query.key, `pdl HTTP ${error.status}${suffix(error.detail)}`),
        );
      throw error;
    }
    if (!Array.isArray(items))
      return batch.map((query) =>
        failed(query.key, 'pdl answered with something other than a list'),
      );
    return alignAnswers(batch, items).map(({ query, item }) =>
      item === undefined
        ? failed(query.key, 'pdl returned no answer for this row')
        : answer(query, item),
    );
  }

  function answer(query: ProviderQuery, item: PdlBulkItem): ProviderAnswer {
    const status = typeof item.status === 'number' ? item.status : undefined;
    if (status === 200) {
      const providerId = pdlPersonId(item.data);
      if (providerId === undefined) return failed(query.key, 'pdl matched a person without an id');
      const likelihood = typeof item.likelihood === 'number' ? item.likelihood : undefined;
      return {
        key: query.key,
        outcome: 'match',
        candidate: { providerId, likelihood, record: pdlPersonCells(item.data) },
        billed: true,
      };
    }
    if (status === 404) return { key: query.key, outcome: 'no_match', billed: false };
    const detail = redact(describeErrorBody(item));
    if (status === 401 || status === 403)
      throw new ProviderUnauthorizedError(PDL_PROVIDER_NAME, status, detail);
    return failed(
      query.key,
      `pdl ${status === undefined ? 'answer without status' : `HTTP ${status}`}${suffix(detail)}`,
    );
  }

  return {
    name: PDL_PROVIDER_NAME,
    account: pdlAccount(apiKey),
    maxBatchSize: batchSize,
    lookup: (queries, lookup) =>
      lookupInBatches(queries, { ...lookup, batchSize, concurrency }, lookupBatch),
  };
}

/**
 * Pairs each query with its answer. PDL answers in request order and echoes `metadata`; the
 * echoed key wins when it names a query of this request, so a reordered answer cannot give one
 * row another row's person.
 */
function alignAnswers(
  batch: readonly ProviderQuery[],
  items: readonly unknown[],
): { query: ProviderQuery; item: PdlBulkItem | undefined }[] {
  const byKey = new Map<string, PdlBulkItem>();
  const keys = new Set(batch.map((query) => query.key));
  let echoed = items.length === batch.length;
  for (const raw of items) {
    const item = asItem(raw);
    const key = metadataKey(item);
    if (key === undefined || !keys.has(key) || byKey.has(key)) echoed = false;
    else byKey.set(key, item);
  }
  return batch.map((query, index) => {
    const raw = items[index];
    const item = echoed ? byKey.get(query.key) : raw === undefined ? undefined : asItem(raw);
    return { query, item };
  });
}

function asItem(raw: unknown): PdlBulkItem {
  return typeof raw === 'object' && raw !== null ? raw : {};
}

function metadataKey(item: PdlBulkItem): string | undefined {
  const metadata = item.metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const key = (metadata as Record<string, unknown>)['key'];
  return typeof key === 'string' ? key : undefined;
}

function failed(key: string, reason: string): ProviderAnswer {
  return { key, outcome: 'error', reason, billed: false };
}

function suffix(detail: string): string {
  return detail === '' ? '' : ` ${detail}`;
}

function bulkEndpoint(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new EnrichmentOptionsError('pdl: apiUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new EnrichmentOptionsError('pdl: apiUrl must be an absolute http(s) URL');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/v5/person/bulk`;
}
