/**
 * Directory-scale benchmark (`npm run bench:directory -- --people 1000000`).
 *
 * Step 1 (cached): generates a directory CSV of N people and an upload of corrupted copies and
 * strangers, under --cache (default `<tmpdir>/contacts-bench-directory`), reused when present.
 * Step 2: a FRESH child process (so nothing from generation is in its heap) loads the directory
 * CSV, builds the index (standardize + block + learn the model), then enriches the upload rows.
 * The parent prints build time, peak RSS of the child, bytes per person and rows/s.
 *
 * Options: --people N (100000), --rows N (10000), --seed N (7), --cache DIR, --regenerate.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
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

const artifact = `${stem}.index.bin`;
const built = await runChild('build');
const loaded = await runChild('load');

console.log(
  `bench:directory  people=${fmt(people)}  rows=${fmt(rows)}  node ${process.version}  (each step in a fresh child process)`,
);
console.log(`  directory CSV       ${mib(statSync(files.directory).size)}`);
console.log('  BUILD from the CSV (what every worker does today)');
console.log(
  `    index build       ${built.buildSeconds.toFixed(1)} s   (read CSV + standardize + block ${built.readSeconds.toFixed(1)} s, learn model ${built.trainSeconds.toFixed(1)} s; ${built.buildCpuSeconds.toFixed(1)} s CPU)`,
);
report(built);
console.log(
  `    artifact          ${mib(built.artifactBytes)} (${fmt(built.artifactBytes / people)} B/person), written in ${built.serializeSeconds.toFixed(1)} s; builder peak RSS with it ${mib(built.maxRssWithArtifactBytes)}`,
);
console.log('  LOAD the artifact (a worker once the artifact exists)');
console.log(
  `    index load        ${loaded.buildSeconds.toFixed(1)} s   (${loaded.buildCpuSeconds.toFixed(1)} s CPU)`,
);
report(loaded);

function report(result: ChildResult): void {
  console.log(
    `    heap after        ${mib(result.heapUsed)}   (${fmt(result.heapUsed / people)} B/person)`,
  );
  console.log(
    `    peak RSS (child)  ${mib(result.maxRssBytes)}   (${fmt(result.maxRssBytes / people)} B/person)`,
  );
  console.log(
    `    matching          ${fmt(result.rowsPerSecond)} rows/s, ${fmt(result.rowsPerCpuSecond)} rows per CPU second   (${fmt(result.matched)} of ${fmt(rows)} matched, ${fmt(result.correct)} to the right person)`,
  );
}

async function runChild(mode: 'build' | 'load'): Promise<ChildResult> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      // The child may need more than V8's default old-space limit at 1,000,000 people; peak RSS,
      // not the limit, is what the benchmark reports.
      '--max-old-space-size=16384',
      '--expose-gc',
      fileURLToPath(new URL('./directory-child.ts', import.meta.url)),
      files.directory,
      files.upload,
      artifact,
      mode,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`bench child (${mode}) exited with ${String(code)}`);
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as ChildResult;
}

interface ChildResult {
  readonly buildSeconds: number;
  readonly serializeSeconds: number;
  readonly artifactBytes: number;
  readonly maxRssWithArtifactBytes: number;
  readonly readSeconds: number;
  readonly trainSeconds: number;
  readonly buildCpuSeconds: number;
  readonly rowsPerCpuSecond: number;
  readonly heapUsed: number;
  readonly maxRssBytes: number;
  readonly rowsPerSecond: number;
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
