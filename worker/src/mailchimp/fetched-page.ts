import { z } from 'zod';
import type { MemberPage } from './audience.ts';
import { memberPageOf } from './mailchimp-audience.ts';
import { memberRow } from './member-rows.ts';

/**
 * A page its fetch stored, as the page's enrichment reads it: only its members' cells under the
 * job's header (the email first, then the merge fields the header names: all that rows and
 * write-back use), and the audience size Mailchimp reported with the page, which the pinned
 * count is compared with (a shift). The fetch stores Mailchimp's answer as it came (only the
 * fields asked for), so reading it costs the fetch stage nothing; it is read here.
 */
export interface FetchedPage {
  /** The audience's member count when the page was read. */
  readonly totalItems: number;
  readonly rows: readonly (readonly string[])[];
}

/** The form workers before stored answers as (rows under the header), read during an upgrade. */
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

/**
 * Reads a stored page as rows under `columns`: Mailchimp's answer (a body of another shape fails
 * the job, mailchimp_bad_response: never a short page), or rows a worker of the former form
 * stored (`{"v":1,…}`).
 */
export function decodeFetchedPage(
  text: string,
  count: number,
  columns: readonly string[],
): FetchedPage {
  if (text.startsWith(FORMER_FORM)) {
    const { totalItems, rows } = storedPage.parse(JSON.parse(text));
    return { totalItems, rows };
  }
  return fetchedPageOf(memberPageOf(text), count, columns);
}

const FORMER_FORM = '{"v":1,';
