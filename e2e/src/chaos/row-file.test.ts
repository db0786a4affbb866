import { describe, expect, it } from 'vitest';
import { checkOutput } from './row-file.ts';

const HEADER = 'Row Id,match_status\n';
const rows = (ids: number[]): string =>
  ids.map((id) => `id-${id},${id % 50 === 0 ? 'rejected' : 'exact'}\n`).join('');

describe('checkOutput', () => {
  it('accepts every row once, in order, with the unusable ones rejected', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    const check = await checkOutput(100, [HEADER, rows(ids)], ['row_number,reason\n50,x\n100,x\n']);
    expect(check).toEqual({
      outputRows: 100,
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      unknown: 0,
      misjudged: 0,
      rejectsMismatch: 0,
    });
  });

  it('counts lost, duplicated and reordered rows and wrong rejects', async () => {
    const check = await checkOutput(
      100,
      [HEADER, rows([1, 3, 2, 3, 4]), 'id-999,exact\n'],
      ['row_number,reason\n50,x\n50,x\n7,x\n'],
    );
    expect(check).toMatchObject({ lost: 96, duplicated: 1, outOfOrder: 1, unknown: 1 });
    // 50 twice and 7 (not unusable) are wrong; 100 is missing.
    expect(check.rejectsMismatch).toBe(3);
  });
});
