import { describe, expect, it } from 'vitest';
import { EventStreamParser } from './event-stream.ts';

describe('EventStreamParser', () => {
  it('reads named events with ids across pieces and skips heartbeats', () => {
    const parser = new EventStreamParser();
    const events = [
      ...parser.push(': heartbeat\n\nevent: progress\nid: 3\ndata: {"a":'),
      ...parser.push('1}\r\n\r\nevent: completed\ndata: x\ndata: y\n'),
      ...parser.push('\n'),
    ];
    expect(events).toEqual([
      { event: 'progress', data: '{"a":1}', id: '3' },
      { event: 'completed', data: 'x\ny', id: '3' },
    ]);
  });

  it('calls an unnamed event a message', () => {
    expect(new EventStreamParser().push('data: 1\n\n')).toEqual([{ event: 'message', data: '1' }]);
  });
});
