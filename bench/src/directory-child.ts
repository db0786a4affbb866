/**
 * The measured half of bench:directory, run in a fresh process per step. Usage:
 *   directory-child build DIRECTORY_CSV ARTIFACT   builds the index from the CSV, writes the artifact
 *   directory-child load ARTIFACT UPLOAD_CSV       loads the artifact, enriches the upload
 * Prints one JSON line of figures (see ChildResult in directory.ts).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { parse } from '@fast-csv/parse';
import {
  createContactEnricher,
  createDirectoryIndexBuilder,
  createNicknameTable,
  loadDirectoryIndexArtifact,
  loadSeedNicknames,
  readDirectoryRecords,
  writeDirectoryIndexArtifact,
  type DirectoryIndex,
} from '@contacts/enrichment';

const [mode, input, second] = process.argv.slice(2);
if ((mode !== 'build' && mode !== 'load') || input === undefined || second === undefined)
  throw new Error('usage: directory-child build CSV ARTIFACT | load ARTIFACT UPLOAD');

const nicknames = createNicknameTable(await loadSeedNicknames());
const cpuSeconds = (since?: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};
// resourceUsage().maxRSS is in kilobytes: the process's peak so far.
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

/**
 * Memory in use after a full collection: the JS heap plus ArrayBuffer contents, which live
 * outside it (the index's typed arrays, the artifact's bytes).
 */
function liveHeap(): number {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

if (mode === 'build') {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  // The same steps as loadDirectoryCsv, timed apart: reading + standardizing + filing, then
  // learning the model (finish).
  const builder = createDirectoryIndexBuilder({ nicknames, defaultRegion: 'US' });
  for await (const record of readDirectoryRecords(createReadStream(input))) builder.add(record);
  const readSeconds = (performance.now() - started) / 1000;
  const readPeakRss = peakRss();
  const directory = builder.finish();
  const buildSeconds = (performance.now() - started) / 1000;
  const trainSeconds = buildSeconds - readSeconds;
  const buildCpuSeconds = cpuSeconds(cpuStart);
  const heapUsed = liveHeap();
  const buildPeakRss = peakRss();
  const writeStarted = performance.now();
  // Streamed section by section (serializeDirectoryIndex would hold the whole artifact too).
  const artifactBytes = writeDirectoryIndexArtifact(directory, second);
  print({
    mode,
    size: directory.size,
    buildSeconds,
    readSeconds,
    trainSeconds,
    buildCpuSeconds,
    serializeSeconds: (performance.now() - writeStarted) / 1000,
    artifactBytes,
    heapUsed,
    heapBytesEstimate: directory.heapBytes,
    readPeakRss,
    buildPeakRss,
    maxRssBytes: peakRss(),
  });
} else {
  let started = performance.now();
  let cpuStart = process.cpuUsage();
  // A worker's path once the artifact exists: no CSV, no standardizing, no EM.
  const directory: DirectoryIndex = loadDirectoryIndexArtifact(readFileSync(input), { nicknames });
  const loadSeconds = (performance.now() - started) / 1000;
  const loadCpuSeconds = cpuSeconds(cpuStart);
  const heapUsed = liveHeap();
  const loadPeakRss = peakRss();

  const upload: string[][] = [];
  for await (const row of createReadStream(second).pipe(parse<string[], string[]>()))
    upload.push(row as string[]);
  const [header = [], ...rows] = upload;
  const enricher = createContactEnricher({ inputColumns: header.slice(0, -1), directory });
  const matchId = enricher.outputColumns.indexOf('match_id');
  let matched = 0;
  let correct = 0;
  started = performance.now();
  cpuStart = process.cpuUsage();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] ?? [];
    const id = enricher.enrichRow(row.slice(0, -1), i + 1).values[matchId] ?? '';
    if (id === '') continue;
    matched++;
    // The upload carries the true directory id in its last (ignored) column.
    if (id === row.at(-1)) correct++;
  }
  print({
    mode,
    size: directory.size,
    loadSeconds,
    loadCpuSeconds,
    heapUsed,
    heapBytesEstimate: directory.heapBytes,
    loadPeakRss,
    maxRssBytes: peakRss(),
    rows: rows.length,
    rowsPerSecond: rows.length / ((performance.now() - started) / 1000),
    // CPU time is the steadier figure on a shared machine: wall time includes waiting for a core.
    rowsPerCpuSecond: rows.length / cpuSeconds(cpuStart),
    matched,
    correct,
  });
}

function print(figures: Record<string, number | string>): void {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
