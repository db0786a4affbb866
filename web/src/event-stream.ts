/** One server-sent event (the fields the page uses). */
export interface ServerEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/**
 * Splits a `text/event-stream` into events as text arrives (WHATWG HTML, "Parsing an event
 * stream"): `event:`, `data:` (joined by line breaks), `id:`; comments (heartbeats) are skipped.
 */
export class EventStreamParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #id: string | undefined;

  push(text: string): ServerEvent[] {
    this.#buffer += text;
    const events: ServerEvent[] = [];
    let newline: number;
    while ((newline = this.#buffer.search(/\r\n|\r|\n/)) !== -1) {
      const line = this.#buffer.slice(0, newline);
      const breakLength = this.#buffer.startsWith('\r\n', newline) ? 2 : 1;
      // A lone CR at the end may be the first half of CRLF: wait for more text.
      if (
        breakLength === 1 &&
        this.#buffer[newline] === '\r' &&
        newline === this.#buffer.length - 1
      )
        break;
      this.#buffer = this.#buffer.slice(newline + breakLength);
      const event = this.#line(line);
      if (event) events.push(event);
    }
    return events;
  }

  #line(line: string): ServerEvent | undefined {
    if (line === '') {
      const dispatched =
        this.#data.length === 0
          ? undefined
          : {
              event: this.#event || 'message',
              data: this.#data.join('\n'),
              ...(this.#id === undefined ? {} : { id: this.#id }),
            };
      this.#event = '';
      this.#data = [];
      return dispatched;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return undefined;
  }
}
