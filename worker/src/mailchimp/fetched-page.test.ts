import { describe, expect, it } from 'vitest';
import { decodeFetchedPage, fetchedPageOf } from './fetched-page.ts';
import { headerFor } from './member-rows.ts';

const header = headerFor([
  { tag: 'FNAME', type: 'text' },
  { tag: 'ADDRESS', type: 'address' },
]);

function member(i: number, extra: Record<string, unknown> = {}) {
  return {
    email: `m${i}@example.com`,
    mergeFields: { FNAME: `N${i}`, ADDRESS: { city: `C${i}` }, ...extra },
  };
}

/** A members page as Mailchimp answers it with `fields=total_items,members.email_address,…`. */
function answer(members: ReturnType<typeof member>[], totalItems: number): string {
  return JSON.stringify({
    members: members.map((m) => ({ email_address: m.email, merge_fields: m.mergeFields })),
    total_items: totalItems,
  });
}

describe('fetchedPageOf', () => {
  it('keeps only the cells of the header, email first, and the size Mailchimp reported', () => {
    const page = fetchedPageOf(
      { members: [member(1, { SECRET: 'not in the header' })], totalItems: 42 },
      10,
      header,
    );

    expect(page.totalItems).toBe(42);
    expect(page.rows).toEqual([['m1@example.com', 'N1', '', '', 'C1', '', '', '']]);
  });

  it('never keeps more members than the page asked for (the audience grew)', () => {
    const page = fetchedPageOf(
      { members: [member(1), member(2), member(3)], totalItems: 3 },
      2,
      header,
    );

    expect(page.rows.map((row) => row[0])).toEqual(['m1@example.com', 'm2@example.com']);
  });
});

describe('stored form', () => {
  it('reads Mailchimp’s answer as stored into rows under the header', () => {
    const members = [member(1), member(2), member(3)];

    expect(decodeFetchedPage(answer(members, 7), 2, header)).toEqual(
      fetchedPageOf({ members, totalItems: 7 }, 2, header),
    );
  });

  it('still reads rows stored by a worker of the former form (an upgrade mid-import)', () => {
    const former = JSON.stringify({ v: 1, totalItems: 2, rows: [['a@example.com', 'A']] });

    expect(decodeFetchedPage(former, 1, header)).toEqual({
      totalItems: 2,
      rows: [['a@example.com', 'A']],
    });
  });

  it('fails the job with mailchimp_bad_response on an answer of another shape, never a short page', () => {
    for (const body of ['{"total_items":3}', '{"members":[{}],"total_items":1}'])
      expect(() => decodeFetchedPage(body, 10, header)).toThrow(
        expect.objectContaining({ code: 'mailchimp_bad_response' }),
      );
  });

  it('refuses former-form rows of another shape', () => {
    expect(() => decodeFetchedPage('{"v":1,"totalItems":3}', 10, header)).toThrow();
  });
});
