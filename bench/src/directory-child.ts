/**
 * The measured half of bench:directory, run in a fresh process: builds the directory index from
 * the CSV, enriches the upload, prints one JSON line of figures. Usage: directory-child DIR UPLOAD.
 */
import { createReadStream } from 'node:fs';
import { parse } from '@fast-csv/parse';
import {
  createContactEnricher,
  createDirectoryIndexBuilder,
  createNicknameTable,
  loadSeedNicknames,
  readDirectoryRecords,
} from '@contacts/enrichment';

const [directoryPath, uploadPath] = process.argv.slice(2);
if (directoryPath === undefined || uploadPath === undefined)
  throw new Error('usage: directory-child DIRECTORY_CSV UPLOAD_CSV');

const nicknames = createNicknameTable(await loadSeedNicknames());
const cpuSeconds = (since?: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};
let started = performance.now();
let cpuStart = process.cpuUsage();
// The same steps as loadDirectoryCsv, timed apart: reading + standardizing + blocking, then
// learning the model (finish).
const builder = createDirectoryIndexBuilder({ nicknames, defaultRegion: 'US' });
for await (const record of readDirectoryRecords(createReadStream(directoryPath)))
  builder.add(record);
const readSeconds = (performance.now() - started) / 1000;
const directory = builder.finish();
const buildSeconds = (performance.now() - started) / 1000;
const trainSeconds = buildSeconds - readSeconds;
const buildCpuSeconds = cpuSeconds(cpuStart);
globalThis.gc?.();
const heapUsed = process.memoryUsage().heapUsed;

const upload: string[][] = [];
for await (const row of createReadStream(uploadPath).pipe(parse<string[], string[]>()))
  upload.push(row as string[]);
const [header = [], ...rows] = upload;
const inputColumns = header.slice(0, -1);
const enricher = createContactEnricher({ inputColumns, directory });
const matchId = enricher.outputColumns.indexOf('match_id');

let matched = 0;
let correct = 0;
started = performance.now();
cpuStart = process.cpuUsage();
for (let i = 0; i < rows.length; i++) {
  const row = rows[i] ?? [];
  const out = enricher.enrichRow(row.slice(0, -1), i + 1);
  const id = out.values[matchId] ?? '';
  if (id === '') continue;
  matched++;
  if (id === row.at(-1)) correct++;
}
const rowsPerSecond = rows.length / ((performance.now() - started) / 1000);
// CPU time is the steadier figure on a shared machine: wall time includes waiting for a core.
const rowsPerCpuSecond = rows.length / cpuSeconds(cpuStart);

process.stdout.write(
  `${JSON.stringify({
    buildSeconds,
    readSeconds,
    trainSeconds,
    buildCpuSeconds,
    rowsPerCpuSecond,
    heapUsed,
    // resourceUsage().maxRSS is in kilobytes.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    rowsPerSecond,
    matched,
    correct,
  })}\n`,
);
