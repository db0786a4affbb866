import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format } from '@fast-csv/format';
import { parse } from '@fast-csv/parse';
import {
  ApiClient,
  contactRow,
  CONTACT_HEADER,
  csvLine,
  exitOf,
  seededRandom,
  spawnWorkerProcess,
  startHarness,
  TENANT_A,
  type JobView,
} from '@contacts/e2e';

/**
 * `npm run bench:e2e -- --rows 1000000`: the whole path on the embedded emulators, with the
 * worker in its own process so its peak RSS is its own. Prints end-to-end throughput next to
 * fast-csv's parse+format throughput on the same file (the ceiling for any CSV pipeline here).
 */
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    'chunk-rows': { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '4' },
    /** Worker processes (the service scales out by adding workers). */
    workers: { type: 'string', default: '1' },
    /** Match against a directory of this many people (the first rows of the file are in it). */
    directory: { type: 'string', default: '0' },
    /** Caps the worker's V8 heap, to show how little memory the work itself needs. */
    'worker-heap-mb': { type: 'string' },
  },
});
const rows = Number(values.rows);
const chunkRows = Number(values['chunk-rows']);
const outDir = fileURLToPath(new URL('../out/', import.meta.url));
mkdirSync(outDir, { recursive: true });

const file = `${outDir}contacts-${rows}.csv`;
await generate(file, rows);
const directorySize = Number(values.directory);
const directoryFile = `${outDir}directory-${directorySize}.csv`;
if (directorySize > 0) await generateDirectory(directoryFile, directorySize);
const bytes = statSync(file).size;
const ceiling = await fastCsvThroughput(file);

const harness = await startHarness({ prefix: 'bench-e2e', env: { LOG_LEVEL: 'silent' } });
const server: Server = harness.app.listen(0, '127.0.0.1');
await once(server, 'listening');
const api = new ApiClient({
  baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  apiKey: TENANT_A.key,
});
const heapMb = values['worker-heap-mb'];
const workers = Array.from({ length: Number(values.workers) }, () =>
  spawnWorkerProcess({
    env: {
      ...harness.emulators.env,
      RESOURCE_PREFIX: 'bench-e2e',
      LOG_LEVEL: 'warn',
      CHUNK_CONCURRENCY: values.concurrency,
      VISIBILITY_TIMEOUT_SECONDS: '10',
      POLL_WAIT_SECONDS: '1',
    },
    ...(heapMb === undefined ? {} : { heapMb: Number(heapMb) }),
  }),
);
try {
  const directoryId = directorySize > 0 ? await api.uploadDirectory(directoryFile) : undefined;
  const started = performance.now();
  const jobId = await api.submitFile(file, {
    fileName: 'bench.csv',
    chunkRows: String(chunkRows),
    ...(directoryId === undefined ? {} : { directoryId }),
  });
  const job = await api.waitForFinalState(jobId);
  if (job.status !== 'completed' || job.result === undefined)
    throw new Error(`job ${job.status}: ${JSON.stringify(job.error)}`);
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = Math.max(...workers.map((w) => peakRss(w.pid!))) / 1024;
  const outputRows = await countOutputRows(job.result.url);
  report({ rows, bytes, seconds, job, peakRssMb, ceiling, outputRows });
  if (outputRows.rows !== rows) process.exitCode = 1;
} finally {
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map(exitOf));
  server.close();
  await harness.close();
}

async function generate(path: string, count: number): Promise<void> {
  try {
    if (statSync(path).size > 0) return;
  } catch {
    // not generated yet
  }
  const random = seededRandom(7);
  function* lines(): Generator<string> {
    yield csvLine(CONTACT_HEADER);
    let batch = '';
    for (let n = 1; n <= count; n++) {
      batch += csvLine(contactRow(n, random, true));
      if (n % 1000 === 0) {
        yield batch;
        batch = '';
      }
    }
    yield batch;
  }
  await pipeline(Readable.from(lines()), createWriteStream(path));
}

/** fast-csv alone: parse every record and format it again, to nowhere. */
async function fastCsvThroughput(path: string): Promise<number> {
  const started = performance.now();
  let count = 0;
  await pipeline(
    createReadStream(path),
    parse({ headers: false }),
    format({ headers: false }),
    new Writable({
      write(_chunk, _encoding, callback) {
        count++;
        callback();
      },
    }),
  );
  return (count - 1) / ((performance.now() - started) / 1000);
}

/** The people of the first `count` rows of the contact file, as a reference directory. */
async function generateDirectory(path: string, count: number): Promise<void> {
  const random = seededRandom(7);
  function* lines(): Generator<string> {
    yield csvLine(['id', 'first_name', 'last_name', 'email', 'phone', 'company', 'title', 'city']);
    for (let n = 1; n <= count; n++) {
      const [first = '', last = '', email = '', phone = ''] = contactRow(n, random, true);
      yield csvLine([
        `p-${n}`,
        first,
        last,
        email,
        phone,
        `Newco ${n % 50}`,
        'Manager',
        'Springfield',
      ]);
    }
  }
  await pipeline(Readable.from(lines()), createWriteStream(path));
}

/** Peak resident set size (VmHWM) of a process, in KiB. */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** Output rows, and how many of them matched a directory person. */
async function countOutputRows(url: string): Promise<{ rows: number; matched: number }> {
  const res = await fetch(url);
  let rows = -1;
  let matched = 0;
  let statusColumn = -1;
  await pipeline(
    Readable.fromWeb(res.body as never),
    parse({ headers: false }),
    new Writable({
      objectMode: true,
      write(row: string[], _encoding, callback) {
        if (rows === -1) statusColumn = row.indexOf('match_status');
        else if (!['none', 'rejected'].includes(row[statusColumn] ?? 'none')) matched++;
        rows++;
        callback();
      },
    }),
  );
  return { rows, matched };
}

function report(figures: {
  rows: number;
  bytes: number;
  seconds: number;
  job: JobView;
  peakRssMb: number;
  ceiling: number;
  outputRows: { rows: number; matched: number };
}): void {
  const throughput = figures.rows / figures.seconds;
  const lines: [string, string][] = [
    ['rows', figures.rows.toLocaleString('en-US')],
    ['input size', `${(figures.bytes / 1024 / 1024).toFixed(1)} MiB`],
    ['seconds (upload → completed)', figures.seconds.toFixed(2)],
    ['rows/s end to end', Math.round(throughput).toLocaleString('en-US')],
    ['chunks', String(figures.job.progress.chunksTotal ?? 0)],
    [
      'directory',
      directorySize > 0
        ? `${directorySize.toLocaleString('en-US')} people (matching on)`
        : 'none (standardize and validate only)',
    ],
    ['workers', values.workers],
    ['worker peak RSS (largest)', `${figures.peakRssMb.toFixed(0)} MiB`],
    [
      'fast-csv parse+format (ceiling)',
      `${Math.round(figures.ceiling).toLocaleString('en-US')} rows/s`,
    ],
    ['end to end / ceiling', `${((throughput / figures.ceiling) * 100).toFixed(0)} %`],
    [
      'output rows',
      `${figures.outputRows.rows.toLocaleString('en-US')} (${figures.outputRows.rows === figures.rows ? 'all present' : 'MISMATCH'}), ${figures.outputRows.matched.toLocaleString('en-US')} matched`,
    ],
  ];
  for (const [name, value] of lines) console.log(`${name.padEnd(34)}${value}`);
}
