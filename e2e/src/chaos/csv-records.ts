/**
 * RFC 4180 records from a text stream, one at a time. Deliberately not the service's parser: a
 * verifier that shared the service's CSV code would share its bugs too.
 */
export async function* csvRecords(
  chunks: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<string[]> {
  let record: string[] = [];
  let field = '';
  let quoted = false;
  /** Set after a closing quote: a second quote right after it is an escaped one. */
  let quoteJustClosed = false;
  let pendingCr = false;
  for await (const chunk of chunks) {
    for (const char of chunk) {
      if (quoted) {
        if (char === '"') {
          quoted = false;
          quoteJustClosed = true;
        } else field += char;
        continue;
      }
      if (char === '"') {
        if (quoteJustClosed) field += '"';
        quoted = true;
        quoteJustClosed = false;
        continue;
      }
      quoteJustClosed = false;
      if (pendingCr && char !== '\n') field += '\r';
      pendingCr = false;
      if (char === ',') {
        record.push(field);
        field = '';
      } else if (char === '\n') {
        record.push(field);
        yield record;
        record = [];
        field = '';
      } else if (char === '\r') pendingCr = true;
      else field += char;
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    yield record;
  }
}
