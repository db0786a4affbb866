/**
 * Reads the first `size` bytes (or the whole stream, if shorter) to look at, and gives the whole
 * stream back, those bytes included, to read on from the start. The head is exactly `size`
 * bytes however the stream happens to be cut, so what is sniffed does not depend on the network.
 */
export async function peekStream(
  source: AsyncIterable<Buffer>,
  size: number,
): Promise<{ head: Buffer; pieces: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < size) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    seen.push(next.value);
    length += next.value.length;
  }
  const read = Buffer.concat(seen);
  async function* pieces(): AsyncGenerator<Buffer> {
    if (read.length > 0) yield read;
    if (ended) return;
    try {
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
        yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  return { head: read.subarray(0, size), pieces: pieces() };
}
