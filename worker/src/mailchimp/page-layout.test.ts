import { describe, expect, it } from 'vitest';
import { pageLayout, pageRanges, pagesAwaitDispatch } from './page-layout.ts';

describe('pageRanges', () => {
  it('covers the pinned members exactly, the last page short', () => {
    const layout = pageLayout({ options: { chunkRows: 1000 } }, 2500);

    expect(pageRanges(layout, 2500)).toEqual([
      { index: 0, offset: 0, count: 1000 },
      { index: 1, offset: 1000, count: 1000 },
      { index: 2, offset: 2000, count: 500 },
    ]);
  });

  it('has no page for an empty audience', () => {
    expect(pageRanges(pageLayout({ options: { chunkRows: 1000 } }, 0), 0)).toEqual([]);
  });
});

describe('pagesAwaitDispatch', () => {
  it('is true once every page is fetched, until their enrichment was sent', () => {
    expect(pagesAwaitDispatch({ outputChunks: 3, pagesFetched: 2 })).toBe(false);
    expect(pagesAwaitDispatch({ outputChunks: 3, pagesFetched: 3 })).toBe(true);
    expect(
      pagesAwaitDispatch({ outputChunks: 3, pagesFetched: 3, pagesDispatchedAt: '2026-01-01' }),
    ).toBe(false);
    expect(pagesAwaitDispatch({ pagesFetched: 3 })).toBe(false);
  });
});
