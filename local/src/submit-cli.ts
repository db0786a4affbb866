import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '@contacts/shared';
import { localApiKey } from './local-api-key.ts';
import { DEFAULT_MAILCHIMP_SIM_KEY } from './mailchimp-simulator/simulator-options.ts';

const USAGE =
  'usage: npm run submit -- FILE [--directory FILE] [--provider pdl] [--out FILE] [--chunk-rows N]\n' +
  '       npm run submit -- --mailchimp LIST_ID [--connection ID] [--write-back] [--directory FILE] [--provider pdl] [--out FILE]';

/**
 * `npm run submit -- FILE [--directory FILE] [--provider pdl] [--out FILE] [--chunk-rows N]`:
 * sends a CSV (and optionally a reference directory to match against, and a provider to ask for
 * the rows it does not match) to the running API, follows the job and downloads the result.
 * Defaults to the embedded default's URL and key.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'chunk-rows': { type: 'string' },
      directory: { type: 'string' },
      provider: { type: 'string' },
      api: { type: 'string' },
      key: { type: 'string' },
      mailchimp: { type: 'string' },
      connection: { type: 'string' },
      'write-back': { type: 'boolean' },
    },
  });
  const file = positionals[0];
  const listId = values.mailchimp;
  if ((file === undefined) === (listId === undefined)) throw new Error(USAGE);
  const config = loadConfig(process.env);
  const api = values.api ?? `http://${config.api.host}:${config.api.port}`;
  const key = values.key ?? process.env.API_KEY ?? localApiKey(config.emulators.dataDir);
  const headers = { Authorization: `Bearer ${key}` };
  await ensureReachable(api);
  const options: Record<string, string> = {};
  if (values['chunk-rows'] !== undefined) options.chunkRows = values['chunk-rows'];
  if (values.provider !== undefined) options.provider = values.provider;
  if (values.directory !== undefined) {
    options.directoryId = await uploadFile(`${api}/v1/directories`, values.directory, headers);
    console.log(`directory ${values.directory} uploaded`);
  }

  const started = Date.now();
  const name = listId === undefined ? basename(file ?? '') : `mailchimp-${listId}.csv`;
  const job = {
    id:
      listId === undefined
        ? await uploadFile(
            `${api}/v1/jobs?${new URLSearchParams({ fileName: name, ...options }).toString()}`,
            file ?? '',
            headers,
          )
        : await createMailchimpJob(api, headers, {
            listId,
            connectionId: values.connection ?? (await sampleConnection(api, headers)),
            writeBack: values['write-back'] === true,
            options,
          }),
  };
  console.log(`job ${job.id} created`);

  let last = '';
  for (;;) {
    const res = await fetch(`${api}/v1/jobs/${job.id}`, { headers });
    const view = (await res.json()) as JobView;
    const line = `${view.status}: ${view.progress.rowsProcessed}/${view.progress.rowsTotal ?? '?'} rows, ${view.progress.chunksDone}/${view.progress.chunksTotal ?? '?'} chunks, ${view.progress.rowsRejected} rejected`;
    if (line !== last) console.log(line);
    last = line;
    if (view.status === 'failed' || view.status === 'cancelled')
      throw new Error(`job ${view.status}: ${JSON.stringify(view.error)}`);
    if (view.status === 'completed' && view.result) {
      const out = values.out ?? `${name.replace(/\.[^.]*$/, '')}-enriched.csv`;
      const download = await fetch(view.result.url);
      if (!download.ok || download.body === null)
        throw new Error(`download failed: ${download.status}`);
      await pipeline(Readable.fromWeb(download.body as never), createWriteStream(out));
      console.log(`result written to ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (view.provider)
        console.log(
          `${view.provider.name}: ${view.provider.requests} requests, ${view.provider.recordsSent} rows sent, ${view.provider.matchesBilled} matches billed, ${view.provider.cacheHits} answered from the cache`,
        );
      if (view.writeBack)
        console.log(
          `written back to Mailchimp: ${view.writeBack.membersWritten} members, ${view.writeBack.errors} refused`,
        );
      if (view.result.rejectsUrl) console.log(`rejected rows: ${view.result.rejectsUrl}`);
      return;
    }
    await delay(500);
  }
}

/** Streams a file to a create endpoint and returns the new resource's id. */
async function uploadFile(
  url: string,
  file: string,
  headers: Record<string, string>,
): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      ...headers,
      'Content-Type': 'text/csv',
      'Content-Length': String(statSync(file).size),
    },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  });
  const body = (await res.json()) as { id?: string };
  if (!res.ok || body.id === undefined)
    throw new Error(`upload of ${file} refused (${res.status}): ${JSON.stringify(body)}`);
  return body.id;
}

interface JobView {
  id: string;
  status: string;
  progress: {
    rowsProcessed: number;
    rowsTotal: number | null;
    chunksDone: number;
    chunksTotal: number | null;
    rowsRejected: number;
  };
  result?: { url: string; rejectsUrl?: string };
  provider?: {
    name: string;
    requests: number;
    recordsSent: number;
    matchesBilled: number;
    cacheHits: number;
  };
  writeBack?: { membersWritten: number; errors: number };
  error?: unknown;
}

/** Creates a job that reads a Mailchimp audience (queued at once); returns its id. */
async function createMailchimpJob(
  api: string,
  headers: Record<string, string>,
  job: {
    listId: string;
    connectionId: string;
    writeBack: boolean;
    options: Record<string, string>;
  },
): Promise<string> {
  const { chunkRows, ...rest } = job.options;
  const res = await fetch(`${api}/v1/jobs`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      source: { type: 'mailchimp', connectionId: job.connectionId, listId: job.listId },
      writeBack: job.writeBack,
      ...rest,
      ...(chunkRows === undefined ? {} : { chunkRows: Number(chunkRows) }),
    }),
  });
  const body = (await res.json()) as { id?: string };
  if (!res.ok || body.id === undefined)
    throw new Error(`Mailchimp job refused (${res.status}): ${JSON.stringify(body)}`);
  return body.id;
}

/**
 * The connection to the local Mailchimp simulator's sample account: an existing one of this
 * tenant for that key's data center is reused, otherwise one is created with the sample key
 * (only meaningful against `npm start`, whose simulator accepts it).
 */
async function sampleConnection(api: string, headers: Record<string, string>): Promise<string> {
  const listed = await fetch(`${api}/v1/connections`, { headers });
  if (listed.ok) {
    const body = (await listed.json()) as { items?: { id: string; type: string }[] };
    const existing = body.items?.find((c) => c.type === 'mailchimp');
    if (existing !== undefined) {
      console.log(`using connection ${existing.id}`);
      return existing.id;
    }
  }
  const created = await fetch(`${api}/v1/connections`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'mailchimp', apiKey: DEFAULT_MAILCHIMP_SIM_KEY }),
  });
  const body = (await created.json()) as { id?: string };
  if (!created.ok || body.id === undefined)
    throw new Error(
      `could not create a connection with the simulator's sample key (${created.status}): ${JSON.stringify(body)}; pass --connection ID`,
    );
  console.log(`connection ${body.id} created with the Mailchimp simulator's sample key`);
  return body.id;
}

/** A plain answer when nothing listens at the API address, instead of fetch's "fetch failed". */
async function ensureReachable(api: string): Promise<void> {
  try {
    await fetch(`${api}/healthz`);
  } catch (error) {
    throw new Error(
      `cannot reach the API at ${api}: is \`npm start\` running? (or pass --api URL)`,
      {
        cause: error,
      },
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
