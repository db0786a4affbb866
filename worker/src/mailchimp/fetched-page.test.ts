import { describe, expect, it } from 'vitest';
import { decodeFetchedPage, encodeFetchedPage, fetchedPageOf } from './fetched-page.ts';
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
  it('reads back what it wrote', () => {
    const page = fetchedPageOf({ members: [member(1), member(2)], totalItems: 2 }, 2, header);

    expect(decodeFetchedPage(encodeFetchedPage(page))).toEqual(page);
  });

  it('refuses a body of another shape rather than reading a short page', () => {
    expect(() => decodeFetchedPage('{"v":1,"totalItems":3}')).toThrow();
    expect(() => decodeFetchedPage('{"v":2,"totalItems":3,"rows":[]}')).toThrow();
  });
});
