import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';

export const SUBMIT_USAGE = `usage: npm run submit -- FILE [options]
       npm run submit -- --mailchimp LIST_ID [--connection ID] [--write-back] [options]

Sends a CSV file (or has the API import a Mailchimp audience) to the running API (\`npm start\`),
follows the job and writes the result and the rejected rows next to FILE (FILE-enriched.csv,
FILE-rejects.csv; for an audience: mailchimp-LIST_ID-enriched.csv in this folder).

options:
  --directory FILE                 match against this reference directory (uploaded first)
  --provider pdl                   also ask People Data Labs about the rows not matched
  --region CC                      default phone region, ISO 3166 alpha-2 (GB, US, …)
  --column-mapping MAP             which column holds which field, as JSON
                                   ('{"email":"Mail","last_name":"Nom"}') or as
                                   column=field pairs ('Mail=email,Nom=last_name')
  --tolerated-reject-percent N     fail the job when more than N % of the rows are rejected
  --chunk-rows N                   data rows per chunk
  --mailchimp LIST_ID              import this Mailchimp audience instead of a file
  --connection ID                  the Mailchimp connection (default: this tenant's first one,
                                   else one made with the local simulator's sample key)
  --write-back                     write the enriched values back to the audience
  --out FILE                       where the result goes (the rejects go beside it)
  --api URL                        the API (default: the running \`npm start\`, else HOST:PORT)
  --key KEY                        the API key (default: API_KEY, else the local key)
  -h, --help                       this text`;

/** A command line that cannot be used; its message says why. */
export class SubmitUsageError extends Error {}

/** A Mailchimp audience to import instead of a file. */
export interface MailchimpSource {
  readonly listId: string;
  readonly connectionId?: string;
  readonly writeBack: boolean;
}

export interface SubmitRequest {
  /** The CSV to send; absent when a Mailchimp audience is imported. */
  readonly file?: string;
  readonly mailchimp?: MailchimpSource;
  /** Query parameters of `POST /v1/jobs` (the directory's id is added once uploaded). */
  readonly query: Readonly<Record<string, string>>;
  readonly directory?: string;
  readonly out: string;
  readonly rejectsOut: string;
  readonly api?: string;
  readonly key?: string;
}

/** Parses `npm run submit` arguments; `help` when the user asked for the usage. */
export function parseSubmitArgs(argv: readonly string[]): SubmitRequest | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        out: { type: 'string' },
        'chunk-rows': { type: 'string' },
        directory: { type: 'string' },
        provider: { type: 'string' },
        region: { type: 'string' },
        'column-mapping': { type: 'string' },
        'tolerated-reject-percent': { type: 'string' },
        api: { type: 'string' },
        key: { type: 'string' },
        mailchimp: { type: 'string' },
        connection: { type: 'string' },
        'write-back': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new SubmitUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  const [file, ...extra] = positionals;
  const listId = values.mailchimp;
  if (file === undefined && listId === undefined)
    throw new SubmitUsageError('name the CSV file to send (or --mailchimp LIST_ID)');
  if (file !== undefined && listId !== undefined)
    throw new SubmitUsageError('send a file or import --mailchimp, not both');
  if (extra.length > 0)
    throw new SubmitUsageError(`one file at a time (also got ${extra.join(' ')})`);
  if (listId === undefined && (values.connection !== undefined || values['write-back'] === true))
    throw new SubmitUsageError('--connection and --write-back go with --mailchimp LIST_ID');
  const input = file ?? `mailchimp-${listId ?? ''}.csv`;
  const query: Record<string, string> = { fileName: basename(input) };
  const set = (name: string, value: string | undefined): void => {
    if (value !== undefined) query[name] = value;
  };
  set('chunkRows', values['chunk-rows']);
  set('provider', values.provider);
  // Passed through as the job option; the API says whether it knows it.
  set('region', values.region?.toUpperCase());
  set('toleratedRejectPercent', values['tolerated-reject-percent']);
  if (values['column-mapping'] !== undefined)
    query.columnMapping = JSON.stringify(parseColumnMapping(values['column-mapping']));
  const out = values.out ?? besideInput(input, 'enriched');
  return {
    ...(file === undefined ? {} : { file }),
    ...(listId === undefined
      ? {}
      : {
          mailchimp: {
            listId,
            writeBack: values['write-back'] === true,
            ...(values.connection === undefined ? {} : { connectionId: values.connection }),
          },
        }),
    query,
    ...(values.directory === undefined ? {} : { directory: values.directory }),
    out,
    rejectsOut: join(dirname(out), `${stem(out).replace(/-enriched$/, '')}-rejects.csv`),
    ...(values.api === undefined ? {} : { api: values.api }),
    ...(values.key === undefined ? {} : { key: values.key }),
  };
}

/**
 * A column mapping as the API takes it (field → column or columns), from JSON in that shape or
 * from `column=field` pairs separated by commas (several columns of one field make a list).
 */
export function parseColumnMapping(text: string): Record<string, string | string[]> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new SubmitUsageError('--column-mapping is not valid JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new SubmitUsageError('--column-mapping JSON must be an object of field → column');
    return json as Record<string, string | string[]>;
  }
  const mapping: Record<string, string | string[]> = {};
  for (const pair of trimmed.split(',')) {
    const at = pair.lastIndexOf('=');
    const column = pair.slice(0, at).trim();
    const field = pair.slice(at + 1).trim();
    if (at <= 0 || column === '' || field === '')
      throw new SubmitUsageError(`--column-mapping: "${pair}" is not column=field`);
    const known = mapping[field];
    mapping[field] = known === undefined ? column : [known, column].flat();
  }
  return mapping;
}

/** `dir/name.csv` → `dir/name-<suffix>.csv`: outputs live beside their input. */
export function besideInput(file: string, suffix: string): string {
  return join(dirname(file), `${stem(file)}-${suffix}.csv`);
}

function stem(file: string): string {
  return basename(file, extname(file));
}
