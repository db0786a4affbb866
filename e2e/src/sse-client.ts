/** One server-sent event as a client sees it. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/** An open `text/event-stream` read over fetch, parsed as the EventSource spec says. */
export interface SseStream {
  readonly status: number;
  readonly headers: Headers;
  /** Events received so far (grows while the stream is open). */
  readonly events: SseEvent[];
  /** Comment lines received so far (`: ping` heartbeats). */
  readonly comments: string[];
  /** Resolves when the server ended the stream (or it was closed). */
  readonly ended: Promise<void>;
  /** The body of a non-200 answer. */
  readonly text: string;
  close(): void;
}

/**
 * Opens an event stream with fetch (tests use it where a browser would use EventSource, and
 * can send headers such as Last-Event-ID).
 */
export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  if (response.status !== 200 || response.body === null) {
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      events,
      comments,
      ended: Promise.resolve(),
      text,
      close: () => undefined,
    };
  }
  const ended = readEvents(response.body, events, comments).catch((error: unknown) => {
    if (!abort.signal.aborted) throw error;
  });
  return {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    ended,
    text: '',
    close: () => {
      abort.abort();
    },
  };
}

async function readEvents(
  body: ReadableStream<Uint8Array>,
  events: SseEvent[],
  comments: string[],
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  let current: { id?: string; event?: string; data: string[] } = { data: [] };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (current.data.length > 0 || current.event !== undefined) {
          events.push({
            id: current.id,
            event: current.event ?? 'message',
            data: current.data.join('\n'),
          });
        }
        current = { data: [] };
      } else if (line.startsWith(':')) {
        comments.push(line.slice(1).trim());
      } else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') current.id = value;
        else if (field === 'event') current.event = value;
        else if (field === 'data') current.data.push(value);
      }
    }
  }
}
