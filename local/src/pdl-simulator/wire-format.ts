import { z } from 'zod';
import { personForWire, type PdlPerson } from './pdl-person.ts';

/** PDL's error body: `{ status, error: { type, message } }`. */
export interface PdlError {
  readonly status: number;
  readonly error: { readonly type: string; readonly message: string };
}

export function pdlError(status: number, type: string, message: string): PdlError {
  return { status, error: { type, message } };
}

export const NOT_FOUND_MESSAGE = 'No records were found matching your request';
export const MAX_BULK_REQUESTS = 100;

const text = z.string();
const oneOrMany = z.union([z.string(), z.array(z.string())]);
// Query strings carry everything as text: "6" and "true" must read as 6 and true.
const likelihood = z.coerce.number().int().min(0).max(10);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const enrichParamsSchema = z.object({
  pdl_id: text.optional(),
  name: text.optional(),
  first_name: text.optional(),
  last_name: text.optional(),
  middle_name: text.optional(),
  email: oneOrMany.optional(),
  phone: oneOrMany.optional(),
  profile: oneOrMany.optional(),
  email_hash: text.optional(),
  lid: text.optional(),
  company: text.optional(),
  school: text.optional(),
  location: text.optional(),
  street_address: text.optional(),
  locality: text.optional(),
  region: text.optional(),
  country: text.optional(),
  postal_code: text.optional(),
  birth_date: text.optional(),
  min_likelihood: likelihood.optional(),
  required: text.optional(),
  titlecase: flag.optional(),
  data_include: text.optional(),
});

export type WireParams = z.infer<typeof enrichParamsSchema>;

const bulkBodySchema = z.object({
  requests: z
    .array(z.object({ params: enrichParamsSchema, metadata: z.unknown().optional() }))
    .min(1, `must hold between 1 and ${MAX_BULK_REQUESTS} items`)
    .max(MAX_BULK_REQUESTS, `must hold between 1 and ${MAX_BULK_REQUESTS} items`),
  required: text.optional(),
  min_likelihood: likelihood.optional(),
  titlecase: flag.optional(),
  data_include: text.optional(),
});

export interface BulkItem {
  readonly params: WireParams;
  /** Echoed back unchanged, so a caller can tie answers to its rows. */
  readonly metadata: unknown;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** A bulk body; options set at the top apply to every request that does not set its own. */
export function parseBulkBody(body: unknown): Parsed<BulkItem[]> {
  const parsed = bulkBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: describe(parsed.error) };
  const { requests, ...shared } = parsed.data;
  const defaults = Object.fromEntries(
    Object.entries(shared).filter(([, value]) => value !== undefined),
  );
  return {
    ok: true,
    value: requests.map((request) => ({
      params: { ...defaults, ...withoutUndefined(request.params) },
      metadata: request.metadata,
    })),
  };
}

/** The single enrichment's parameters, from a query string (repeated keys make lists) or JSON. */
export function parseEnrichParams(input: unknown): Parsed<WireParams> {
  const parsed = enrichParamsSchema.safeParse(input);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, message: describe(parsed.error) };
}

/** One answer: the person (lower-cased unless titlecase; trimmed by data_include). */
export interface MatchBody {
  readonly status: 200;
  readonly likelihood: number;
  readonly data: Record<string, unknown>;
}

export function matchBody(person: PdlPerson, likelihood: number, params: WireParams): MatchBody {
  const data = personForWire(person, params.titlecase ?? false);
  return { status: 200, likelihood, data: includeFields(data, params.data_include) };
}

/**
 * `data_include`: a comma list of top-level fields to keep, or, after a leading "-", to drop.
 * (PDL also takes dotted sub-fields; top-level fields are what this simulator needs.)
 */
function includeFields(
  person: PdlPerson,
  dataInclude: string | undefined,
): Record<string, unknown> {
  const record: Record<string, unknown> = { ...person };
  if (dataInclude === undefined) return record;
  const exclude = dataInclude.startsWith('-');
  const fields = new Set(
    (exclude ? dataInclude.slice(1) : dataInclude)
      .split(',')
      .map((field) => field.trim().split('.')[0] ?? '')
      .filter((field) => field !== ''),
  );
  return Object.fromEntries(
    Object.entries(record).filter(([key]) => (exclude ? !fields.has(key) : fields.has(key))),
  );
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ` : '') + issue.message)
    .join('; ');
}
