import { z } from 'zod';
import type { MemberPage } from './audience.ts';
import { memberRow } from './member-rows.ts';

/**
 * A page as its fetch stored it for the page's enrichment: only its members' cells under the
 * job's header (the email first, then the merge fields the header names: all that rows and
 * write-back use), and the audience size Mailchimp reported with the page, which the pinned
 * count is compared with (a shift). Rows rather than member objects keep it about the size of
 * the page as CSV.
 */
export interface FetchedPage {
  /** The audience's member count when the page was read. */
  readonly totalItems: number;
  readonly rows: readonly (readonly string[])[];
}

const storedPage = z.object({
  v: z.literal(1),
  totalItems: z.number().int().nonnegative(),
  rows: z.array(z.array(z.string())),
});

/** The page's members as rows under `columns`, never more than the page asked for. */
export function fetchedPageOf(
  page: MemberPage,
  count: number,
  columns: readonly string[],
): FetchedPage {
  // A page never holds more than it asked for, even if the audience grew.
  const rows = page.members.slice(0, count).map((member) => memberRow(member, columns));
  return { totalItems: page.totalItems, rows };
}

/** The stored form (compact JSON, versioned). */
export function encodeFetchedPage(page: FetchedPage): string {
  return JSON.stringify({ v: 1, totalItems: page.totalItems, rows: page.rows });
}

/** Reads a stored page back; a body of another shape is an error, never a short page. */
export function decodeFetchedPage(text: string): FetchedPage {
  const { totalItems, rows } = storedPage.parse(JSON.parse(text));
  return { totalItems, rows };
}
