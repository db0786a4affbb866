import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { listenOrExplain, PortInUseError } from './port-in-use.ts';

describe('listenOrExplain', () => {
  it('names the port and the variable when the port is taken', async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as { port: number };
    const second = createServer();
    try {
      const attempt = listenOrExplain(
        async () => {
          second.listen(port, '127.0.0.1');
          await once(second, 'listening');
        },
        { what: 'the API', host: '127.0.0.1', port, variable: 'PORT' },
      );
      await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
      await expect(attempt).rejects.toThrow(
        new RegExp(`the API cannot listen on 127\\.0\\.0\\.1:${port}: .*set PORT to another port`),
      );
    } finally {
      holder.close();
    }
  });

  it('finds EADDRINUSE in a cause chain, and leaves other errors alone', async () => {
    const wrapped = new Error('listen failed', {
      cause: Object.assign(new Error('busy'), { code: 'EADDRINUSE' }),
    });
    const where = { what: 'DynamoDB emulator', host: 'h', port: 1, variable: 'X_PORT' };
    await expect(listenOrExplain(() => Promise.reject(wrapped), where)).rejects.toThrow(/X_PORT/);
    const other = new Error('EACCES');
    await expect(listenOrExplain(() => Promise.reject(other), where)).rejects.toBe(other);
  });
});
