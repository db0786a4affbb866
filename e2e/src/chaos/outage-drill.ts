/** One answer of the API to a probe. */
export interface ProbeResult {
  readonly probe: string;
  readonly status: number;
  readonly retryAfter: string | null;
}

/**
 * Asks the API what a client would during an outage: is it ready, can I create a job (JSON and
 * direct upload), can I start one. `startableJobId` is a job waiting for its upload.
 */
export async function probeApi(
  baseUrl: string,
  apiKey: string,
  startableJobId: string,
): Promise<ProbeResult[]> {
  const auth = { Authorization: `Bearer ${apiKey}` };
  const probes: [string, () => Promise<Response>][] = [
    ['GET /readyz', () => fetch(`${baseUrl}/readyz`)],
    [
      'POST /v1/jobs (JSON)',
      () =>
        fetch(`${baseUrl}/v1/jobs`, {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: JSON.stringify({ fileName: 'probe.csv' }),
        }),
    ],
    [
      'POST /v1/jobs (text/csv)',
      () =>
        fetch(`${baseUrl}/v1/jobs?fileName=probe.csv`, {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'text/csv' },
          body: 'First Name,Last Name,Email\nAnn,Smith,ann@example.com\n',
        }),
    ],
    [
      'POST /v1/jobs/{id}/start',
      () => fetch(`${baseUrl}/v1/jobs/${startableJobId}/start`, { method: 'POST', headers: auth }),
    ],
  ];
  return Promise.all(
    probes.map(async ([probe, send]) => {
      const res = await send();
      await res.body?.cancel();
      return { probe, status: res.status, retryAfter: res.headers.get('retry-after') };
    }),
  );
}

/** Creates a job that waits for its upload, for the start probe. */
export async function createStartableJob(baseUrl: string, apiKey: string): Promise<string> {
  const res = await fetch(`${baseUrl}/v1/jobs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ fileName: 'startable.csv' }),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || body.id === undefined)
    throw new Error(`creating the probe job failed: ${res.status}`);
  return body.id;
}

export interface OutageReport {
  readonly seconds: number;
  readonly stoppedAtMs: number;
  readonly restartedAtMs: number;
  /** When `/readyz` answered 200 again. */
  readonly readyAgainAtMs: number;
  /** Every probe answer while the emulators were down. */
  readonly duringOutage: readonly ProbeResult[];
  /** The first probe round after `/readyz` recovered. */
  readonly afterRecovery: readonly ProbeResult[];
}

/** Anything that can be taken down and brought back with its data (the emulators). */
export interface Stoppable {
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * Takes the dependencies down for `seconds`, probing the API every `probeEveryMs`, then brings
 * them back on the same ports with the same data and waits until the API is ready again.
 */
export async function runOutage(options: {
  dependencies: Stoppable;
  seconds: number;
  baseUrl: string;
  apiKey: string;
  clock: () => number;
  log: (line: string) => void;
  probeEveryMs?: number;
  /** Runs as soon as the dependencies are back, before anything else is asked of them. */
  onRestart?: () => Promise<void>;
}): Promise<OutageReport> {
  const { baseUrl, apiKey, clock, log } = options;
  const startable = await createStartableJob(baseUrl, apiKey);
  const stoppedAtMs = clock();
  await options.dependencies.stop();
  log(
    `outage: ${(stoppedAtMs / 1000).toFixed(2)} s emulators stopped for ${options.seconds} s ` +
      `(in-flight requests drained in ${Math.round(clock() - stoppedAtMs)} ms)`,
  );
  const duringOutage: ProbeResult[] = [];
  const until = stoppedAtMs + options.seconds * 1000;
  while (clock() < until) {
    duringOutage.push(...(await probeApi(baseUrl, apiKey, startable)));
    await sleep(Math.min(options.probeEveryMs ?? 1000, Math.max(0, until - clock())));
  }
  await options.dependencies.restart();
  const restartedAtMs = clock();
  await options.onRestart?.();
  log(`outage: ${(restartedAtMs / 1000).toFixed(2)} s emulators restarted (same ports, same data)`);
  for (;;) {
    const ready = await fetch(`${baseUrl}/readyz`);
    await ready.body?.cancel();
    if (ready.status === 200) break;
    await sleep(100);
  }
  const readyAgainAtMs = clock();
  log(`outage: ${(readyAgainAtMs / 1000).toFixed(2)} s /readyz is 200 again`);
  const afterRecovery = await probeApi(baseUrl, apiKey, startable);
  return {
    seconds: options.seconds,
    stoppedAtMs,
    restartedAtMs,
    readyAgainAtMs,
    duringOutage,
    afterRecovery,
  };
}

/** `probe → status (Retry-After)` counts, e.g. `POST /v1/jobs (JSON): 503 ×12 (Retry-After 5)`. */
export function summarizeProbes(results: readonly ProbeResult[]): string[] {
  const counts = new Map<string, number>();
  for (const r of results) {
    const key = `${r.probe}: ${r.status}${r.retryAfter === null ? '' : ` (Retry-After ${r.retryAfter})`}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${key} ×${n}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
