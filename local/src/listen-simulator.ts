import type { Server } from 'node:http';
import { listenOrExplain } from '@contacts/shared';

/**
 * Starts a simulator's server; a port already taken says which port and which variable moves it
 * (the same message as the API's and the emulators').
 */
export function listenSimulator(
  server: Server,
  where: { what: string; host: string; port: number; variable: string },
): Promise<void> {
  return listenOrExplain(
    () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(where.port, where.host, () => {
          server.off('error', reject);
          resolve();
        });
      }),
    where,
  );
}
