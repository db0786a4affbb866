/**
 * Throughput benchmark (`npm run bench:match`): enrichment (standardize + match + label, no I/O)
 * on one core against a generated 100,000-person directory, and in the same run a brute-force
 * Jaro–Winkler scan of the whole directory for a sample of rows, reported as a ratio.
 *
 * Options: --directory N (100000), --rows N (50000), --sample N (brute-force rows, 200), --seed N.
 */
import { parseArgs } from 'node:util';
import {
  buildDirectoryIndex,
  createContactEnricher,
  createNicknameTable,
  foldKey,
  indexOutputColumns,
  jaroWinklerKeys,
  loadSeedNicknames,
} from '@contacts/enrichment';
import { generateBenchmark } from './gen-benchmark.ts';

const TARGET_ROWS_PER_SECOND = 50_000;

const { values: args } = parseArgs({
  options: {
    directory: { type: 'string', default: '100000' },
    rows: { type: 'string', default: '50000' },
    sample: { type: 'string', default: '200' },
    seed: { type: 'string', default: '7' },
  },
});

const pairs = await loadSeedNicknames();
const nicknames = createNicknameTable(pairs);
const bench = generateBenchmark({
  seed: Number(args.seed),
  directorySize: Number(args.directory),
  uploadRows: Number(args.rows),
  duplicateShare: 0.7,
  nicknamePairs: pairs,
});

let started = performance.now();
const directory = buildDirectoryIndex(bench.directory, { nicknames, defaultRegion: 'US' });
const indexSeconds = (performance.now() - started) / 1000;
const enricher = createContactEnricher({ inputColumns: bench.header, directory });
const matchIdColumn = indexOutputColumns(enricher.outputColumns).match('match_id');

// Warm up the JIT on a slice of rows, then time full passes and keep the best.
for (let i = 0; i < Math.min(5000, bench.rows.length); i++)
  enricher.enrichRow(bench.rows[i] ?? [], i + 1);
let best = Infinity;
let matched = 0;
for (let pass = 0; pass < 3; pass++) {
  matched = 0;
  started = performance.now();
  for (let i = 0; i < bench.rows.length; i++) {
    const out = enricher.enrichRow(bench.rows[i] ?? [], i + 1);
    if (out.values[matchIdColumn] !== '') matched++;
  }
  best = Math.min(best, performance.now() - started);
}
const rowsPerSecond = bench.rows.length / (best / 1000);

// Brute force: fold each sampled row's name and compare it with every directory name.
const names: string[] = [];
for (let i = 0; i < directory.size; i++) {
  const entry = directory.contact(i);
  names.push(`${entry.firstKey} ${entry.lastKey}`);
}
const sample = bench.rows.slice(0, Number(args.sample));
started = performance.now();
let checksum = 0;
for (const row of sample) {
  const query = `${foldKey(row[0] ?? '')} ${foldKey(row[1] ?? '')}`;
  let top = 0;
  for (const name of names) {
    const sim = jaroWinklerKeys(query, name);
    if (sim > top) top = sim;
  }
  checksum += top;
}
const bruteSeconds = (performance.now() - started) / 1000;
const bruteRowsPerSecond = sample.length / bruteSeconds;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(
  `bench:match  directory=${fmt(directory.size)}  rows=${fmt(bench.rows.length)}  node ${process.version}  (one thread)`,
);
console.log(`  index build         ${indexSeconds.toFixed(1)} s`);
console.log(
  `  enrichment          ${fmt(rowsPerSecond)} rows/s   (best of 3 passes: ${(best / 1000).toFixed(2)} s; ${fmt(matched)} matched)`,
);
console.log(
  `  brute-force JW scan ${bruteRowsPerSecond.toFixed(1)} rows/s   (${sample.length} rows × ${fmt(names.length)} names; checksum ${checksum.toFixed(1)})`,
);
console.log(
  `  ratio               ${fmt(rowsPerSecond / bruteRowsPerSecond)}× faster than scanning`,
);
const pass = rowsPerSecond >= TARGET_ROWS_PER_SECOND;
console.log(
  pass
    ? `PASS: ≥ ${fmt(TARGET_ROWS_PER_SECOND)} rows/s`
    : `FAIL: target is ≥ ${fmt(TARGET_ROWS_PER_SECOND)} rows/s`,
);
if (!pass) process.exitCode = 1;
