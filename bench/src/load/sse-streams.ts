import http from 'node:http';

/** Open event streams and what they received. */
export interface StreamSet {
  /** Streams that answered 200 and are still open. */
  open(): number;
  /** Streams that heard at least one event. */
  heard(): number;
  events(): number;
  pings(): number;
  /** Non-200 answers and connection errors. */
  failures(): number;
  close(): void;
}

/**
 * Opens `count` event streams, spread over `jobs`, with raw sockets (one each, no pooling), and
 * counts events and heartbeats by scanning the bytes rather than parsing them: the load
 * generator should cost as little as it can next to the API it measures.
 */
export function openStreams(
  apiUrl: string,
  jobs: readonly { id: string; key: string }[],
  count: number,
): StreamSet {
  const url = new URL(apiUrl);
  const requests: http.ClientRequest[] = [];
  let open = 0;
  let failures = 0;
  let events = 0;
  let pings = 0;
  const heard = new Set<number>();
  for (let i = 0; i < count; i++) {
    const job = jobs[i % jobs.length]!;
    const req = http.get(
      {
        host: url.hostname,
        port: url.port,
        path: `/v1/jobs/${job.id}/events`,
        headers: { Authorization: `Bearer ${job.key}`, Accept: 'text/event-stream' },
        agent: false,
      },
      (res) => {
        if (res.statusCode !== 200) {
          failures++;
          res.resume();
          return;
        }
        open++;
        res.on('data', (chunk: Buffer) => {
          const text = chunk.toString('latin1');
          const found = text.split('\nevent: ').length - 1 + (text.startsWith('event: ') ? 1 : 0);
          if (found > 0) heard.add(i);
          events += found;
          pings += text.split(': ping').length - 1;
        });
        res.on('close', () => {
          open--;
        });
      },
    );
    req.on('error', () => {
      failures++;
    });
    requests.push(req);
  }
  return {
    open: () => open,
    heard: () => heard.size,
    events: () => events,
    pings: () => pings,
    failures: () => failures,
    close: () => {
      for (const req of requests) req.destroy();
    },
  };
}
