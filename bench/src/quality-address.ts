/**
 * Address + birth-date quality benchmark (`npm run bench:quality:address`): generates a labelled
 * directory and upload (see gen-linkage.ts), reads both through the engine's header recognition
 * exactly as files are read, and reports precision/recall/F1 of match_id and blocking recall.
 * Exits non-zero when the target (F1 ≥ 0.99 with precision ≥ 0.995) is missed.
 *
 * Options: --set address|febrl (default address), --seed N (default 20240611), --directory N,
 * --rows N, --min-score P, --margin BITS, --verbose (print misses and false merges),
 * --write DIR (also write directory.csv, upload.csv and truth.csv there, to try the CLI on).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import {
  createContactEnricher,
  createMatcher,
  createNicknameTable,
  loadDirectoryCsv,
  loadSeedNicknames,
} from '@contacts/enrichment';
import { parseString } from 'fast-csv';
import { generateLinkageSet, type LinkageFlavour } from './gen-linkage.ts';
import { createRandom } from './gen-random.ts';

const { values: args } = parseArgs({
  options: {
    set: { type: 'string', default: 'address' },
    seed: { type: 'string', default: '20240611' },
    directory: { type: 'string' },
    rows: { type: 'string' },
    'min-score': { type: 'string' },
    margin: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    write: { type: 'string' },
  },
});
const FLAVOURS: readonly string[] = ['address', 'febrl'];
if (!FLAVOURS.includes(args.set)) throw new Error('--set must be address or febrl');
const flavour = args.set as LinkageFlavour;

const pairs = await loadSeedNicknames();
const nicknames = createNicknameTable(pairs);
const started = performance.now();
const set = generateLinkageSet({
  flavour,
  random: createRandom(Number(args.seed)),
  directorySize: Number(args.directory ?? (flavour === 'febrl' ? 5000 : 20000)),
  uploadRows: Number(args.rows ?? (flavour === 'febrl' ? 5000 : 10000)),
  nicknamePairs: pairs,
});
if (args.write !== undefined) {
  await mkdir(args.write, { recursive: true });
  await writeFile(join(args.write, 'directory.csv'), set.directoryCsv);
  await writeFile(join(args.write, 'upload.csv'), set.uploadCsv);
  await writeFile(
    join(args.write, 'truth.csv'),
    ['directory_id', ...set.truth.map((t) => t ?? '')].join('\n') + '\n',
  );
}
const generatedMs = performance.now() - started;
const directory = await loadDirectoryCsv(Readable.from([set.directoryCsv]), {
  nicknames,
  defaultRegion: 'US',
});
const indexedMs = performance.now() - started - generatedMs;
const rows = await readRows(set.uploadCsv);
const [header = [], ...body] = rows;
const thresholds = {
  ...(args['min-score'] === undefined ? {} : { minScore: Number(args['min-score']) }),
  ...(args.margin === undefined ? {} : { minMarginBits: Number(args.margin) }),
};
const enricher = createContactEnricher({ inputColumns: header, directory, options: thresholds });
const matcher = createMatcher(directory, thresholds);
const positionOf = new Map<string, number>();
for (let i = 0; i < directory.size; i++) positionOf.set(directory.entry(i).id, i);
const idColumn = enricher.outputColumns.indexOf('match_id');
const reasonColumn = enricher.outputColumns.indexOf('match_reason');

let predicted = 0;
let correct = 0;
let copies = 0;
let blocked = 0;
const missesBy = new Map<string, number>();
const copiesBy = new Map<string, number>();
const runStarted = performance.now();
body.forEach((row, i) => {
  const truth = set.truth[i];
  const out = enricher.enrichRow(row, i + 1);
  const matchId = out.values[idColumn] ?? '';
  if (matchId !== '') {
    predicted++;
    if (matchId === truth) correct++;
    else if (args.verbose)
      console.log('false merge', JSON.stringify(row), '→', matchId, out.values[reasonColumn]);
  }
  if (truth === undefined) return;
  copies++;
  const position = positionOf.get(truth);
  const { contact } = enricher.analyzeRow(row);
  if (position !== undefined && matcher.candidates(contact).includes(position)) blocked++;
  const corruptions = set.corruptions[i] ?? [];
  for (const c of corruptions) copiesBy.set(c, (copiesBy.get(c) ?? 0) + 1);
  if (matchId !== truth) {
    for (const c of corruptions) missesBy.set(c, (missesBy.get(c) ?? 0) + 1);
    if (args.verbose)
      console.log(
        'miss',
        corruptions.join('+'),
        JSON.stringify(row),
        '→',
        matchId,
        out.values[reasonColumn],
      );
  }
});
const runMs = performance.now() - runStarted;

const precision = predicted === 0 ? 1 : correct / predicted;
const recall = copies === 0 ? 1 : correct / copies;
const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
const pct = (x: number): string => (x * 100).toFixed(2) + '%';
console.log(
  `bench:quality:address  set=${flavour}  seed=${args.seed}  directory=${directory.size}  rows=${body.length}  (${copies} copies, ${body.length - copies} strangers)`,
);
console.log(
  `generated in ${(generatedMs / 1000).toFixed(1)} s; directory read and indexed in ${(indexedMs / 1000).toFixed(1)} s; enriched (+ blocking audit) in ${(runMs / 1000).toFixed(1)} s`,
);
const training = directory.model.training;
if (training !== undefined) {
  console.log(
    `model: u from ${training.randomPairs} random pairs; m by EM over ${training.emPairs} blocked pairs, ${training.emIterations} iterations${training.converged ? '' : ' (not converged)'}, λ=${training.lambda.toExponential(2)}`,
  );
}
console.log('');
console.log(
  `  precision          ${pct(precision)}   (${correct} right of ${predicted} matches; ${predicted - correct} false merges)`,
);
console.log(`  recall             ${pct(recall)}   (${correct} of ${copies} copies found)`);
console.log(`  F1                 ${pct(f1)}`);
console.log(
  `  blocking recall    ${pct(copies === 0 ? 1 : blocked / copies)}   (${blocked} of ${copies} true pairs survive blocking)`,
);
console.log('');
console.log('  misses by corruption (a copy can have several):');
for (const [c, n] of [...copiesBy].sort())
  console.log(`    ${c.padEnd(20)} ${String(missesBy.get(c) ?? 0).padStart(4)} missed of ${n}`);
const pass = f1 >= 0.99 && precision >= 0.995;
console.log('');
console.log(
  pass
    ? 'PASS: F1 ≥ 0.99 and precision ≥ 0.995'
    : 'FAIL: target is F1 ≥ 0.99 with precision ≥ 0.995',
);
if (!pass) process.exitCode = 1;

async function readRows(text: string): Promise<string[][]> {
  const out: string[][] = [];
  await new Promise<void>((resolve, reject) => {
    parseString<string[], string[]>(text, { headers: false })
      .on('data', (row: string[]) => out.push(row))
      .on('error', reject)
      .on('end', () => {
        resolve();
      });
  });
  return out;
}
