/**
 * Local CLI: enriches a contact CSV against a directory CSV in-process, no AWS.
 *
 *   npm run enrich -- --input contacts.csv --directory directory.csv --output out.csv
 *                     [--rejects rejects.csv] [--region GB] [--format full|compact]
 *                     [--nicknames extra.csv] [--mapping '{"email":"Mail"}']
 *                     [--min-score 0.8] [--margin 4] [--explain] [--explain-row N]
 *
 * The output and rejects files are the ones an API job with the same options writes.
 * --explain prints the directory's learned model (m, u and weight per comparison level, and the
 * term-frequency effect); --explain-row N also prints, for input row N (1 = first data row),
 * each field's level and weight against the best candidate.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  createContactEnricher,
  type ContactEnricher,
  type ContactEnricherOptions,
} from './contact-enricher.ts';
import type { DirectoryIndex } from './directory/directory-index.ts';
import { explainModel, explainPair } from './match/explain-model.ts';
import { createPhoneticEncoder } from './match/phonetic-key.ts';
import type { ScoringContext } from './match/score-candidate.ts';
import { enrichCsv } from './enrich-csv.ts';
import { EnrichmentError, EnrichmentOptionsError } from './errors.ts';
import { loadDirectoryCsv } from './directory/load-directory.ts';
import {
  createNicknameTable,
  loadNicknameFile,
  loadSeedNicknames,
  type NicknameTable,
} from './nicknames/nicknames.ts';
import { OUTPUT_MODES, type OutputMode } from './output/output-columns.ts';
import { isPhoneRegion } from './standardize/phone-region.ts';
import type { ExplicitColumnMapping } from './standardize/recognize-columns.ts';

const USAGE =
  'usage: npm run enrich -- --input FILE --directory FILE --output FILE [--rejects FILE] ' +
  '[--region US] [--format full|compact] [--nicknames FILE] [--mapping JSON] [--min-score 0.8] ' +
  '[--margin 4] [--explain] [--explain-row N]\n' +
  '  --region: ISO 3166-1 alpha-2 region of phone numbers written without a country code\n' +
  "    (a row's own country column wins); --format: the job option `output` (--output is the file)";

async function main(): Promise<void> {
  const { values } = parseOptions({
    options: {
      input: { type: 'string' },
      directory: { type: 'string' },
      output: { type: 'string' },
      rejects: { type: 'string' },
      region: { type: 'string', default: 'US' },
      format: { type: 'string', default: 'full' },
      nicknames: { type: 'string' },
      mapping: { type: 'string' },
      'min-score': { type: 'string' },
      margin: { type: 'string' },
      explain: { type: 'boolean', default: false },
      'explain-row': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.input || !values.directory || !values.output) throw new EnrichmentOptionsError(USAGE);
  if (!isPhoneRegion(values.region)) {
    throw new EnrichmentOptionsError(
      `--region must be an ISO 3166-1 alpha-2 code such as US, GB or FR; got "${values.region}"`,
    );
  }
  const output = parseOutputMode(values.format);
  const started = performance.now();
  // An external nickname file extends the seed table rather than replacing it.
  const pairs = await loadSeedNicknames();
  if (values.nicknames) pairs.push(...(await loadNicknameFile(values.nicknames)));
  const nicknames = createNicknameTable(pairs);
  const directory = await loadDirectoryCsv(values.directory, {
    nicknames,
    defaultRegion: values.region,
  });
  const loaded = performance.now();
  if (values.explain || values['explain-row'] !== undefined) {
    console.error(explainModel(directory.model, directory.size, (f) => directory.commonest(f)));
  }
  const explainRow =
    values['explain-row'] === undefined ? undefined : Number(values['explain-row']);
  const options: ContactEnricherOptions = {
    defaultRegion: values.region,
    output,
    ...(values.mapping === undefined ? {} : { columnMapping: parseMapping(values.mapping) }),
    ...(values['min-score'] === undefined ? {} : { minScore: Number(values['min-score']) }),
    ...(values.margin === undefined ? {} : { minMarginBits: Number(values.margin) }),
  };
  const stats = await enrichCsv({
    input: createReadStream(values.input),
    output: createWriteStream(values.output),
    rejects: values.rejects ? createWriteStream(values.rejects) : undefined,
    createEnricher: (header) => {
      const enricher = createContactEnricher({ inputColumns: header, directory, options });
      return explainRow === undefined
        ? enricher
        : explainingRow(enricher, explainRow, directory, nicknames);
    },
  });
  const seconds = (performance.now() - loaded) / 1000;
  const statuses = [...stats.statuses].map(([s, n]) => `${s}=${n}`).join(' ');
  console.error(
    `directory: ${directory.size} entries indexed in ${((loaded - started) / 1000).toFixed(1)} s; ` +
      `${stats.rows} rows enriched in ${seconds.toFixed(1)} s (${Math.round(stats.rows / Math.max(seconds, 1e-6))} rows/s); ${statuses}`,
  );
}

function parseOutputMode(text: string): OutputMode {
  const mode = OUTPUT_MODES.find((m) => m === text);
  if (mode === undefined)
    throw new EnrichmentOptionsError(
      `--format must be ${OUTPUT_MODES.join(' or ')}; got "${text}"`,
    );
  return mode;
}

/** Wraps an enricher so that row `target` is explained on stderr as it goes through. */
function explainingRow(
  enricher: ContactEnricher,
  target: number,
  directory: DirectoryIndex,
  nicknames: NicknameTable,
): ContactEnricher {
  const context: ScoringContext = {
    model: directory.model,
    nicknames,
    phonetic: createPhoneticEncoder(),
    directorySize: directory.size,
    frequency: (field, key) => directory.frequency(field, key),
  };
  return {
    ...enricher,
    enrichRow(fields, rowNumber, provided) {
      if (rowNumber === target) {
        const { contact, match } = enricher.analyzeRow(fields);
        const entry = match?.entry;
        console.error(
          `row ${String(target)}: ${match?.status ?? 'rejected'}${entry ? ` ${entry.id}, score ${match.score.toFixed(4)}` : ''}; ${match?.reason ?? ''}`,
        );
        if (entry !== undefined) console.error(`  ${explainPair(contact, entry.contact, context)}`);
      }
      return enricher.enrichRow(fields, rowNumber, provided);
    },
  };
}

function parseMapping(text: string): ExplicitColumnMapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EnrichmentOptionsError('--mapping must be a JSON object', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EnrichmentOptionsError('--mapping must be a JSON object of field → header name(s)');
  }
  return parsed;
}

/** parseArgs, with an unknown or incomplete option told in one line plus the usage. */
function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new EnrichmentOptionsError(`${(error as Error).message}\n${USAGE}`, { cause: error });
  }
}

try {
  await main();
} catch (error) {
  if (error instanceof EnrichmentError) {
    console.error(`enrich: ${error.message}`);
    process.exitCode = 2;
  } else throw error;
}
