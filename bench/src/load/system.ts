import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { exitOf, spawnWorkerProcess } from '@contacts/e2e';

export interface Tenant {
  readonly tenantId: string;
  readonly key: string;
}

/** The service under load: emulators, API and workers, each a process of its own. */
export interface RunningSystem {
  readonly apiUrl: string;
  readonly tenants: readonly Tenant[];
  /** Environment that points an SDK client (or a service) at the emulators. */
  readonly serviceEnv: Record<string, string>;
  readonly processes: readonly { readonly name: string; readonly pid: number }[];
  /** Log lines at level error or worse, per process name. */
  errorCounts(): Record<string, number>;
  stop(): Promise<void>;
}

export interface SystemOptions {
  readonly prefix: string;
  readonly tenants: number;
  readonly rateLimit: number;
  readonly workers: number;
  readonly chunkConcurrency: number;
  /** Each process's log goes to `<logDir><name>.log`. */
  readonly logDir: string;
  /** Extra Node flags for the API process (--cpu-prof …). */
  readonly apiNodeFlags?: readonly string[];
  /** Extra environment of the API process, given the emulators' (e.g. a counting proxy). */
  readonly apiEnv?: (serviceEnv: Record<string, string>) => Record<string, string>;
}

const entry = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** Starts emulators, then the API and the workers against them; resolves once the API is ready. */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const children: { name: string; child: ChildProcess }[] = [];
  const logs = new ServiceLogs(options.logDir);
  const stop = async (): Promise<void> => {
    // Workers and the API first: they would log outages if the emulators went first.
    for (const group of [children.filter((c) => c.name !== 'emulators'), children]) {
      for (const { child } of group) child.kill('SIGTERM');
      await Promise.all(group.map(({ child }) => exitOf(child)));
    }
    logs.close();
  };
  try {
    const emulators = spawnService(entry('bench/src/load/emulators-main.ts'), {
      args: [options.prefix],
      env: {},
    });
    children.push({ name: 'emulators', child: emulators });
    const serviceEnv = {
      ...(JSON.parse(await firstLine(emulators)) as Record<string, string>),
      RESOURCE_PREFIX: options.prefix,
      LOG_LEVEL: 'warn',
    };
    const tenants = Array.from({ length: options.tenants }, (_, i) => ({
      tenantId: `load-${i + 1}`,
      key: `load-key-${i + 1}-0123456789abcdef`,
    }));
    const port = await freePort();
    const api = spawnService(entry('api/src/server.ts'), {
      nodeFlags: options.apiNodeFlags ?? [],
      env: {
        ...serviceEnv,
        HOST: '127.0.0.1',
        PORT: String(port),
        API_KEYS: tenants.map((t) => `${t.tenantId}:${t.key}`).join(','),
        RATE_LIMIT_PER_SECOND: String(options.rateLimit),
        RATE_LIMIT_BURST: String(options.rateLimit),
        ...options.apiEnv?.(serviceEnv),
      },
    });
    logs.follow('api', api);
    children.push({ name: 'api', child: api });
    for (let i = 1; i <= options.workers; i++) {
      const name = `worker-${i}`;
      const worker = spawnWorkerProcess({
        env: {
          ...serviceEnv,
          CHUNK_CONCURRENCY: String(options.chunkConcurrency),
          SHUTDOWN_DEADLINE_SECONDS: '5',
        },
        onLogLine: (line) => {
          logs.write(name, line);
        },
      });
      children.push({ name, child: worker });
    }
    const apiUrl = `http://127.0.0.1:${port}`;
    await waitUntilReady(apiUrl, api);
    return {
      apiUrl,
      tenants,
      serviceEnv,
      processes: children.map(({ name, child }) => ({ name, pid: child.pid ?? 0 })),
      errorCounts: () => logs.errorCounts(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function spawnService(
  path: string,
  options: { env: Record<string, string>; args?: readonly string[]; nodeFlags?: readonly string[] },
): ChildProcess {
  const flags = [...(options.nodeFlags ?? []), '--conditions=source'];
  return spawn(process.execPath, [...flags, path, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    if (child.stdout === null) {
      reject(new Error('no stdout to read'));
      return;
    }
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => {
      reject(new Error(`process exited with ${code} before it was ready`));
    });
  });
}

/** A free loopback port (the API takes its port from the environment, so it cannot say). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) throw new Error('no port assigned');
  return address.port;
}

async function waitUntilReady(apiUrl: string, api: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (api.exitCode !== null) throw new Error(`the API exited with ${api.exitCode}`);
    try {
      if ((await fetch(`${apiUrl}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the API did not become ready at ${apiUrl}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Writes each process's pino lines to its own file and counts those at level error or worse. */
class ServiceLogs {
  readonly #dir: string;
  readonly #files = new Map<string, WriteStream>();
  readonly #errors: Record<string, number> = {};

  constructor(dir: string) {
    this.#dir = dir;
  }

  follow(name: string, child: ChildProcess): void {
    if (child.stdout === null) return;
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.write(name, line);
    });
  }

  write(name: string, line: string): void {
    let file = this.#files.get(name);
    if (file === undefined) {
      file = createWriteStream(`${this.#dir}${name}.log`);
      this.#files.set(name, file);
    }
    file.write(`${line}\n`);
    // pino levels: 50 error, 60 fatal.
    if (/"level":(5|6)\d/.test(line)) this.#errors[name] = (this.#errors[name] ?? 0) + 1;
  }

  errorCounts(): Record<string, number> {
    return { ...this.#errors };
  }

  close(): void {
    for (const file of this.#files.values()) file.end();
  }
}
