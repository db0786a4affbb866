import { describe, expect, it } from 'vitest';
import { textTable } from './text-table.ts';

describe('textTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      textTable(
        ['QUEUE', 'ID', 'STATUS'],
        [
          ['chunks', 'a', 'processing'],
          ['control', 'bbbb', ''],
        ],
      ),
    ).toBe(['QUEUE    ID    STATUS', 'chunks   a     processing', 'control  bbbb'].join('\n'));
  });
});
