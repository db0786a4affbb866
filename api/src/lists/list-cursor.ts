import { z } from 'zod';
import { HttpProblem } from '../http/problem.ts';

/**
 * Opaque paging cursors: base64url of a small JSON document naming the tenant, the listing and
 * its filter, and where the previous page ended. They are not secret (a tenant only sees its own
 * positions) but they are checked: a cursor that does not parse, or that belongs to another
 * tenant, listing or filter, is a 400, never a page of someone else's data.
 */
const envelope = z
  .object({
    v: z.literal(1),
    /** Tenant the cursor was issued to. */
    t: z.string().min(1),
    /** Listing and filter it continues (`jobs`, `jobs:completed`, `directories`). */
    l: z.string().min(1),
    /** Where the previous page ended (listing-specific, checked by `position`). */
    p: z.unknown(),
  })
  .strict();

const MAX_CURSOR_LENGTH = 1024;

export function encodeCursor(
  scope: { tenantId: string; listing: string },
  position: unknown,
): string {
  const document = { v: 1, t: scope.tenantId, l: scope.listing, p: position };
  return Buffer.from(JSON.stringify(document)).toString('base64url');
}

/** The position a cursor carries; a 400 problem when it is not one this caller may use. */
export function decodeCursor<T>(
  cursor: string,
  scope: { tenantId: string; listing: string },
  position: z.ZodType<T>,
): T {
  const invalid = (detail: string): HttpProblem => new HttpProblem(400, 'cursor_invalid', detail);
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[\w-]+$/.test(cursor))
    throw invalid('the cursor is not one this API issued');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('the cursor is not one this API issued');
  }
  const document = envelope.safeParse(parsed);
  if (!document.success) throw invalid('the cursor is not one this API issued');
  if (document.data.t !== scope.tenantId) throw invalid('the cursor belongs to another API key');
  if (document.data.l !== scope.listing)
    throw invalid('the cursor belongs to another listing or filter: repeat the same query');
  const at = position.safeParse(document.data.p);
  if (!at.success) throw invalid('the cursor is not one this API issued');
  return at.data;
}
