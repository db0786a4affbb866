import { describe, expect, it } from 'vitest';
import { detectDelimiter, detectDialect, detectLineEnding } from './detect-dialect.ts';

const bytes = (text: string): Buffer => Buffer.from(text);

describe('detectDialect', () => {
  it.each([
    ['Name,Email\nAnn,a@x.io\n', ','],
    ['Name;Email;Company\nAnn;a@x.io;"Acme, Inc."\nBob;b@x.io;Initech, Ltd\n', ';'],
    ['Name\tEmail\nAnn\ta@x.io\n', '\t'],
    ['Name|Email\nAnn|a@x.io\n', '|'],
    ['"Last, First";Email\n"Doe, Jane";j@x.io\n', ';'],
    ['Email\na@x.io\n', ','],
  ])('finds the delimiter of %j', (text, delimiter) => {
    expect(detectDialect(bytes(text)).delimiter).toBe(delimiter);
  });

  it('prefers the delimiter the rows agree with when the header has several', () => {
    const text = 'Name,Notes;Email\nAnn,x;a@x.io\nBob,y;b@x.io\n';
    // Both appear once in the header; both agree with every row: comma wins the tie.
    expect(detectDelimiter(text.split('\n').map(bytes))).toBe(',');
    const semicolons = 'Name;Title, role;Email\nAnn;CEO;a@x.io\nBob;CTO;b@x.io\n';
    expect(detectDialect(bytes(semicolons)).delimiter).toBe(';');
  });

  it('reads a header longer than the window', () => {
    expect(detectDialect(bytes(Array.from({ length: 50 }, (_, i) => `c${i}`).join(';')))).toEqual({
      delimiter: ';',
      lineEnding: 'lf',
    });
  });

  it('skips a byte-order mark', () => {
    expect(detectDialect(bytes('\uFEFFa;b\n1;2\n'), 3).delimiter).toBe(';');
  });

  it.each([
    ['a\nb\n', 'lf'],
    ['a\r\nb\r\n', 'crlf'],
    ['a\rb\r', 'cr'],
    ['"x\ry"\nb\n', 'lf'],
    ['a,b', 'lf'],
  ])('finds the line ending of %j', (text, lineEnding) => {
    expect(detectLineEnding(bytes(text))).toBe(lineEnding);
  });
});
