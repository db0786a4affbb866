/**
 * Directory-scale benchmark (`npm run bench:directory -- --people 1000000`).
 *
 * Step 1 (cached): generates a directory CSV of N people and an upload of corrupted copies and
 * strangers, under --cache (default `<tmpdir>/contacts-bench-directory`), reused when present.
 * Step 2: a FRESH child process (so nothing from generation is in its heap) builds the index
 * from the directory CSV (standardize + file + learn the model) and writes the artifact (format
 * 2) next to the CSV. Step 3: another fresh child loads the artifact and enriches the upload.
 * The parent prints build and load time, heap and peak RSS of each child, bytes per person,
 * rows/s, and PASS/FAIL against 1 GiB of peak RSS for either process.
 *
 * Options: --people N (100000), --rows N (10000), --seed N (7), --cache DIR, --regenerate.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format } from '@fast-csv/format';
import { loadSeedNicknames } from '@contacts/enrichment';
import { generateBenchmark } from './gen-benchmark.ts';

const { values: args } = parseArgs({
  options: {
    people: { type: 'string', default: '100000' },
    rows: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '7' },
    cache: { type: 'string', default: join(tmpdir(), 'contacts-bench-directory') },
    regenerate: { type: 'boolean', default: false },
  },
});

const DIRECTORY_HEADER = [
  'id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'company',
  'title',
  'city',
  'updated_at',
] as const;

const people = Number(args.people);
const rows = Number(args.rows);
const seed = Number(args.seed);
const stem = join(args.cache, `people-${people}-rows-${rows}-seed-${seed}`);
const files = {
  directory: `${stem}.directory.csv`,
  upload: `${stem}.upload.csv`,
};

// The target of docs/directories.md: 1,000,000 people in at most 1 GiB for any process.
const PEAK_RSS_LIMIT = 2 ** 30;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

if (args.regenerate || !existsSync(files.directory) || !existsSync(files.upload)) {
  const started = performance.now();
  await generate();
  console.log(
    `generated ${files.directory} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
} else {
  console.log(`reusing ${files.directory}`);
}

// Format 2 (columnar); a file of another format would be refused by the loader.
const artifact = `${stem}.index-v2.bin`;
const built = (await runChild(['build', files.directory, artifact])) as BuildResult;
const loaded = (await runChild(['load', artifact, files.upload])) as LoadResult;

const perPerson = (bytes: number): string => `${fmt(bytes / people)} B/person`;
console.log(
  `bench:directory  people=${fmt(people)}  rows=${fmt(rows)}  node ${process.version}  load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}  (each step in a fresh child process)`,
);
console.log(`  directory CSV       ${mib(statSync(files.directory).size)}`);
console.log('  BUILD from the CSV and write the artifact (one worker per directory version)');
console.log(
  `    index build       ${built.buildSeconds.toFixed(1)} s   (read CSV + standardize + file ${built.readSeconds.toFixed(1)} s, learn model ${built.trainSeconds.toFixed(1)} s; ${built.buildCpuSeconds.toFixed(1)} s CPU)`,
);
console.log(
  `    heap + buffers    ${mib(built.heapUsed)}   (${perPerson(built.heapUsed)}; index.heapBytes estimate ${mib(built.heapBytesEstimate)})`,
);
console.log(
  `    artifact          ${mib(built.artifactBytes)}   (${perPerson(built.artifactBytes)}), written in ${built.serializeSeconds.toFixed(1)} s`,
);
console.log(
  `    peak RSS          ${mib(built.maxRssBytes)}   (${mib(built.readPeakRss)} after reading and filing, ${mib(built.buildPeakRss)} after learning the model)`,
);
console.log('  LOAD the artifact and match the upload (every other worker)');
console.log(
  `    index load        ${loaded.loadSeconds.toFixed(1)} s   (${loaded.loadCpuSeconds.toFixed(1)} s CPU)`,
);
console.log(
  `    heap + buffers    ${mib(loaded.heapUsed)}   (${perPerson(loaded.heapUsed)}; index.heapBytes estimate ${mib(loaded.heapBytesEstimate)})`,
);
console.log(
  `    peak RSS          ${mib(loaded.maxRssBytes)}   (${mib(loaded.loadPeakRss)} after loading, before matching)`,
);
console.log(
  `    matching          ${fmt(loaded.rowsPerSecond)} rows/s, ${fmt(loaded.rowsPerCpuSecond)} rows per CPU second   (${fmt(loaded.matched)} of ${fmt(loaded.rows)} matched, ${fmt(loaded.correct)} to the right person)`,
);
const worst = Math.max(built.maxRssBytes, loaded.maxRssBytes);
const pass = worst <= PEAK_RSS_LIMIT;
console.log(
  `${pass ? 'PASS' : 'FAIL'}: peak RSS of any process ${mib(worst)} ${pass ? '≤' : '>'} ${mib(PEAK_RSS_LIMIT)} (${perPerson(worst)})`,
);
if (!pass) process.exitCode = 1;

async function runChild(childArgs: readonly string[]): Promise<unknown> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      // Reported figures are the process's own peak: no heap limit is set to squeeze it.
      '--max-old-space-size=16384',
      '--expose-gc',
      fileURLToPath(new URL('./directory-child.ts', import.meta.url)),
      ...childArgs,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0)
    throw new Error(`bench child (${childArgs[0] ?? ''}) exited with ${String(code)}`);
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as unknown;
}

interface BuildResult {
  readonly buildSeconds: number;
  readonly readSeconds: number;
  readonly trainSeconds: number;
  readonly buildCpuSeconds: number;
  readonly serializeSeconds: number;
  readonly artifactBytes: number;
  readonly heapUsed: number;
  readonly heapBytesEstimate: number;
  readonly readPeakRss: number;
  readonly buildPeakRss: number;
  readonly maxRssBytes: number;
}

interface LoadResult {
  readonly loadSeconds: number;
  readonly loadCpuSeconds: number;
  readonly heapUsed: number;
  readonly heapBytesEstimate: number;
  readonly loadPeakRss: number;
  readonly maxRssBytes: number;
  readonly rows: number;
  readonly rowsPerSecond: number;
  readonly rowsPerCpuSecond: number;
  readonly matched: number;
  readonly correct: number;
}

async function generate(): Promise<void> {
  mkdirSync(args.cache, { recursive: true });
  const bench = generateBenchmark({
    seed,
    directorySize: people,
    uploadRows: rows,
    duplicateShare: 0.7,
    nicknamePairs: await loadSeedNicknames(),
  });
  await writeCsv(
    files.directory,
    DIRECTORY_HEADER,
    bench.directory.map((r) => DIRECTORY_HEADER.map((h) => r[h] ?? '')),
  );
  // The upload carries the true directory id in its ignored last column, for the child to score.
  await writeCsv(
    files.upload,
    [...bench.header, 'truth_id'],
    bench.rows.map((row, i) => [...row, bench.truth[i]?.directoryId ?? '']),
  );
}

async function writeCsv(
  path: string,
  header: readonly string[],
  body: readonly (readonly string[])[],
): Promise<void> {
  // Written under a temporary name and renamed, so an interrupted run never leaves a cache hit.
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const csv = format({ headers: false });
  csv.pipe(out);
  csv.write(header);
  for (const row of body) if (!csv.write(row)) await once(csv, 'drain');
  csv.end();
  await once(out, 'finish');
  renameSync(partial, path);
}
