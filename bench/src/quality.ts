/**
 * Quality benchmark (`npm run bench:quality`): generates a labelled directory and upload from a
 * seed, runs the engine, and reports precision/recall/F1 of match_id, blocking recall and
 * field-label accuracy. Exits non-zero when the targets (F1 ≥ 0.99, precision ≥ 0.995) are missed.
 *
 * Options: --seed N (default 20240611), --directory N (20000), --rows N (10000),
 * --min-score P and --margin BITS (engine thresholds, to see the precision/recall trade-off),
 * --verbose (print every miss and false merge).
 */
import { parseArgs } from 'node:util';
import {
  buildDirectoryIndex,
  createContactEnricher,
  createMatcher,
  createNicknameTable,
  ENRICHED_FIELDS,
  indexOutputColumns,
  loadSeedNicknames,
  type MatchColumn,
} from '@contacts/enrichment';
import { generateBenchmark } from './gen-benchmark.ts';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '20240611' },
    directory: { type: 'string', default: '20000' },
    rows: { type: 'string', default: '10000' },
    'min-score': { type: 'string' },
    margin: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const pairs = await loadSeedNicknames();
const nicknames = createNicknameTable(pairs);
const started = performance.now();
const bench = generateBenchmark({
  seed: Number(args.seed),
  directorySize: Number(args.directory),
  uploadRows: Number(args.rows),
  duplicateShare: 0.7,
  nicknamePairs: pairs,
});
const generatedMs = performance.now() - started;
const directory = buildDirectoryIndex(bench.directory, { nicknames, defaultRegion: 'US' });
const thresholds = {
  ...(args['min-score'] === undefined ? {} : { minScore: Number(args['min-score']) }),
  ...(args.margin === undefined ? {} : { minMarginBits: Number(args.margin) }),
};
const enricher = createContactEnricher({
  inputColumns: bench.header,
  directory,
  options: thresholds,
});
const matcher = createMatcher(directory, thresholds);
const positionOf = new Map<string, number>();
for (let i = 0; i < directory.size; i++) positionOf.set(directory.entry(i).id, i);

const columns = indexOutputColumns(enricher.outputColumns);
const col = (name: MatchColumn): number => columns.match(name);
const idColumn = col('match_id');
const statusColumns = ENRICHED_FIELDS.map((f) => columns.field(f, 'status'));
// The truth says only what a source said about a field: the statuses of a field no source
// spoke for (as written, reformatted, invalid or empty) all count as its `unverified`.
const NO_SOURCE_STATUSES = new Set(['unverified', 'reformatted', 'invalid', 'empty']);
const sourceLabel = (status: string): string =>
  NO_SOURCE_STATUSES.has(status) ? 'unverified' : status;

let predicted = 0;
let correct = 0;
let falseMerges = 0;
let duplicates = 0;
let blocked = 0;
let labelsRight = 0;
let labelsTotal = 0;
const missesByModification = new Map<string, number>();
const duplicatesByModification = new Map<string, number>();
const labelConfusion = new Map<string, number>();
const statusCounts = new Map<string, number>();

const runStarted = performance.now();
bench.rows.forEach((row, i) => {
  const truth = bench.truth[i];
  if (truth === undefined) return;
  const out = enricher.enrichRow(row, i + 1);
  const matchId = out.values[idColumn] ?? '';
  const status = out.values[col('match_status')] ?? '';
  statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
  if (matchId !== '') {
    predicted++;
    if (matchId === truth.directoryId) correct++;
    else falseMerges++;
  }
  if (truth.directoryId !== undefined) {
    duplicates++;
    const { contact } = enricher.analyzeRow(row);
    const position = positionOf.get(truth.directoryId);
    if (position !== undefined && matcher.candidates(contact).includes(position)) blocked++;
    for (const m of truth.modifications)
      duplicatesByModification.set(m, (duplicatesByModification.get(m) ?? 0) + 1);
    if (matchId !== truth.directoryId) {
      for (const m of truth.modifications.length === 0 ? ['(none)'] : truth.modifications) {
        missesByModification.set(m, (missesByModification.get(m) ?? 0) + 1);
      }
      if (args.verbose)
        console.log(
          'miss',
          truth.modifications.join('+'),
          JSON.stringify(row),
          '→',
          matchId,
          out.values[col('match_reason')],
        );
    }
  } else if (matchId !== '' && args.verbose) {
    console.log(
      'false merge of a stranger',
      JSON.stringify(row),
      '→',
      matchId,
      out.values[col('match_reason')],
    );
  }
  truth.labels.forEach((expected, f) => {
    const actual = sourceLabel(out.values[statusColumns[f] ?? -1] ?? '');
    labelsTotal++;
    if (actual === expected) labelsRight++;
    else {
      const key = `${ENRICHED_FIELDS[f] ?? '?'}: expected ${expected}, got ${actual}`;
      labelConfusion.set(key, (labelConfusion.get(key) ?? 0) + 1);
    }
  });
});
const runMs = performance.now() - runStarted;

const precision = predicted === 0 ? 1 : correct / predicted;
const recall = duplicates === 0 ? 1 : correct / duplicates;
const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
const blockingRecall = duplicates === 0 ? 1 : blocked / duplicates;
const labelAccuracy = labelsTotal === 0 ? 1 : labelsRight / labelsTotal;
const pct = (x: number): string => (x * 100).toFixed(2) + '%';

console.log(
  `bench:quality  seed=${args.seed}  directory=${bench.directory.length}  rows=${bench.rows.length}  (${duplicates} copies of directory people, ${bench.rows.length - duplicates} strangers)`,
);
console.log(
  `generated in ${(generatedMs / 1000).toFixed(1)} s; enriched (+ blocking audit) in ${(runMs / 1000).toFixed(1)} s`,
);
console.log('');
console.log(
  `  precision          ${pct(precision)}   (${correct} right of ${predicted} matches; ${falseMerges} false merges)`,
);
console.log(`  recall             ${pct(recall)}   (${correct} of ${duplicates} copies found)`);
console.log(`  F1                 ${pct(f1)}`);
console.log(
  `  blocking recall    ${pct(blockingRecall)}   (${blocked} of ${duplicates} true pairs survive blocking)`,
);
console.log(
  `  label accuracy     ${pct(labelAccuracy)}   (${labelsRight} of ${labelsTotal} field labels)`,
);
console.log(`  match_status       ${[...statusCounts].map(([s, n]) => `${s}=${n}`).join('  ')}`);
console.log('');
console.log('  misses by modification (a copy can have several):');
for (const [m, n] of [...duplicatesByModification].sort()) {
  console.log(
    `    ${m.padEnd(16)} ${String(missesByModification.get(m) ?? 0).padStart(4)} missed of ${n}`,
  );
}
console.log(
  `    ${'(none)'.padEnd(16)} ${String(missesByModification.get('(none)') ?? 0).padStart(4)} missed`,
);
console.log('  most frequent label errors:');
for (const [k, n] of [...labelConfusion].sort((a, b) => b[1] - a[1]).slice(0, 8))
  console.log(`    ${n.toString().padStart(5)}  ${k}`);

const pass = f1 >= 0.99 && precision >= 0.995;
console.log('');
console.log(
  pass
    ? 'PASS: F1 ≥ 0.99 and precision ≥ 0.995'
    : 'FAIL: target is F1 ≥ 0.99 with precision ≥ 0.995',
);
if (!pass) process.exitCode = 1;
