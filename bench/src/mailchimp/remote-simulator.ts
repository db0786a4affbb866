import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { MailchimpSimulatorStats } from '@contacts/local';

export type SimulatorCall = { readonly id: number } & (
  | { readonly op: 'createAudience'; readonly args: { size: number; seed: number } }
  | { readonly op: 'members'; readonly listId: string }
  | { readonly op: 'stats' | 'reset' | 'close' }
);

export type SimulatorReply = {
  readonly type: 'reply';
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
};

type Distributive<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface RemoteMember {
  readonly email: string;
  readonly mergeFields: Record<string, unknown>;
}

/** The simulator running in a child process (see simulator-process.ts). */
export interface RemoteSimulator {
  readonly url: string;
  readonly apiKey: string;
  createAudience(args: { size: number; seed: number }): Promise<string>;
  members(listId: string): Promise<readonly RemoteMember[]>;
  stats(): Promise<MailchimpSimulatorStats>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the simulator in its own process. `onPage` gets the time each members page was served,
 * as this process's performance.now().
 */
export async function startRemoteSimulator(
  latencyMs: number,
  onPage: (at: number) => void,
): Promise<RemoteSimulator> {
  const child = fork(
    fileURLToPath(new URL('./simulator-process.ts', import.meta.url)),
    [String(latencyMs)],
    { execArgv: ['--conditions=source'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  child.on('message', (raw) => {
    const message = raw as { readonly type: 'page'; readonly at: number } | SimulatorReply;
    if (message.type === 'page') {
      onPage(message.at - performance.timeOrigin);
      return;
    }
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.value);
  });
  const [ready] = (await once(child, 'message')) as [{ url: string; apiKey: string }];
  const call = <T>(request: Distributive<SimulatorCall>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...request, id });
    });
  return {
    url: ready.url,
    apiKey: ready.apiKey,
    createAudience: (args) => call<string>({ op: 'createAudience', args }),
    members: (listId) => call<readonly RemoteMember[]>({ op: 'members', listId }),
    stats: () => call<MailchimpSimulatorStats>({ op: 'stats' }),
    reset: async () => {
      await call<unknown>({ op: 'reset' });
    },
    close: async () => {
      await call<unknown>({ op: 'close' }).catch(() => undefined);
      await stop(child);
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.disconnect();
  await once(child, 'exit');
}
