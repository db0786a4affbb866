import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WORKER_ENTRY = fileURLToPath(new URL('../../worker/src/main.ts', import.meta.url));

export interface WorkerProcessOptions {
  /** The worker's whole configuration, added to this process's environment. */
  readonly env: Record<string, string>;
  /** Caps the worker's V8 heap. */
  readonly heapMb?: number;
  /** Receives each stdout line (pino JSON); without it the worker writes to this terminal. */
  readonly onLogLine?: (line: string) => void;
}

/**
 * `worker/src/main.ts` in a process of its own (this Node, TypeScript sources): what a
 * container runs, so it can be measured on its own or killed without taking the caller along.
 */
export function spawnWorkerProcess(options: WorkerProcessOptions): ChildProcess {
  const heap = options.heapMb === undefined ? [] : [`--max-old-space-size=${options.heapMb}`];
  const capture = options.onLogLine !== undefined;
  const child = spawn(process.execPath, [...heap, '--conditions=source', WORKER_ENTRY], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
  });
  if (options.onLogLine !== undefined && child.stdout !== null) {
    createInterface({ input: child.stdout }).on('line', options.onLogLine);
  }
  return child;
}

/** Resolves once the process has exited (at once if it already has). */
export function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
}
