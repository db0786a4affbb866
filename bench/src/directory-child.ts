/**
 * The measured half of bench:directory, run in a fresh process: builds the directory index from
 * the CSV, enriches the upload, prints one JSON line of figures. Usage: directory-child DIR UPLOAD.
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { parse } from '@fast-csv/parse';
import {
  createContactEnricher,
  createDirectoryIndexBuilder,
  createNicknameTable,
  loadDirectoryIndexArtifact,
  loadSeedNicknames,
  readDirectoryRecords,
  serializeDirectoryIndex,
  type DirectoryIndex,
} from '@contacts/enrichment';

const [directoryPath, uploadPath, artifactPath, mode] = process.argv.slice(2);
if (directoryPath === undefined || uploadPath === undefined || artifactPath === undefined)
  throw new Error('usage: directory-child DIRECTORY_CSV UPLOAD_CSV ARTIFACT build|load');

const nicknames = createNicknameTable(await loadSeedNicknames());
const cpuSeconds = (since?: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};
let started = performance.now();
let cpuStart = process.cpuUsage();
let readSeconds = 0;
let trainSeconds = 0;
let artifactBytes = 0;
let directory: DirectoryIndex;
if (mode === 'load') {
  // A worker's path once the artifact exists: no CSV, no standardizing, no EM.
  directory = loadDirectoryIndexArtifact(readFileSync(artifactPath), { nicknames });
} else {
  // The same steps as loadDirectoryCsv, timed apart: reading + standardizing + blocking, then
  // learning the model (finish).
  const builder = createDirectoryIndexBuilder({ nicknames, defaultRegion: 'US' });
  for await (const record of readDirectoryRecords(createReadStream(directoryPath)))
    builder.add(record);
  readSeconds = (performance.now() - started) / 1000;
  directory = builder.finish();
  trainSeconds = (performance.now() - started) / 1000 - readSeconds;
}
const buildSeconds = (performance.now() - started) / 1000;
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
// resourceUsage().maxRSS is in kilobytes. Taken before writing the artifact, so a build's figure
// compares with the code before artifacts; the peak with serializing is reported apart.
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
let serializeSeconds = 0;
if (mode !== 'load') {
  started = performance.now();
  const bytes = serializeDirectoryIndex(directory);
  writeFileSync(artifactPath, bytes);
  artifactBytes = bytes.length;
  serializeSeconds = (performance.now() - started) / 1000;
}

process.stdout.write(
  `${JSON.stringify({
    mode: mode ?? 'build',
    buildSeconds,
    serializeSeconds,
    artifactBytes,
    readSeconds,
    trainSeconds,
    buildCpuSeconds,
    rowsPerCpuSecond,
    heapUsed,
    maxRssBytes,
    maxRssWithArtifactBytes: process.resourceUsage().maxRSS * 1024,
    rowsPerSecond,
    matched,
    correct,
  })}\n`,
);
