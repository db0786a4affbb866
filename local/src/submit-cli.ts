import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig, toolEnvironment } from '@contacts/shared';
import { localApiKey } from './local-api-key.ts';
import { createMailchimpJob } from './submit/mailchimp-job.ts';
import {
  parseSubmitArgs,
  SUBMIT_USAGE,
  SubmitUsageError,
  type SubmitRequest,
} from './submit/submit-options.ts';

/**
 * `npm run submit -- FILE [options]` (see SUBMIT_USAGE): sends a CSV to the running API,
 * follows the job and writes the result and the rejects beside the input. Finds the API of a
 * running `npm start` by itself.
 */
async function main(): Promise<void> {
  let request: SubmitRequest | 'help';
  try {
    request = parseSubmitArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof SubmitUsageError)) throw error;
    console.error(`error: ${error.message}\n\n${SUBMIT_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (request === 'help') {
    console.log(SUBMIT_USAGE);
    return;
  }
  const tool = toolEnvironment(process.env);
  const config = loadConfig(tool.env);
  const api = request.api ?? tool.apiUrl ?? `http://${config.api.host}:${config.api.port}`;
  const key = request.key ?? process.env.API_KEY ?? localApiKey(config.emulators.dataDir);
  const headers = { Authorization: `Bearer ${key}` };
  await ensureReachable(api);
  const query = new URLSearchParams(request.query);
  if (request.directory !== undefined) {
    query.set('directoryId', await uploadFile(`${api}/v1/directories`, request.directory, headers));
    console.log(`directory ${request.directory} uploaded`);
  }

  const started = Date.now();
  const job = {
    id:
      request.mailchimp === undefined
        ? await uploadFile(`${api}/v1/jobs?${query.toString()}`, request.file ?? '', headers)
        : await createMailchimpJob(api, headers, request.mailchimp, query),
  };
  console.log(`job ${job.id} created`);

  let last = '';
  for (;;) {
    const res = await fetch(`${api}/v1/jobs/${job.id}`, { headers });
    const view = (await res.json()) as JobView;
    const line = `${view.status}: ${view.progress.rowsProcessed}/${view.progress.rowsTotal ?? '?'} rows, ${view.progress.chunksDone}/${view.progress.chunksTotal ?? '?'} chunks, ${view.progress.rowsRejected} rejected`;
    if (line !== last) console.log(line);
    last = line;
    if (view.status === 'failed' || view.status === 'cancelled') {
      // A job failed for too many rejected rows still links them: the reasons are the answer.
      if (view.result?.rejectsUrl !== undefined) {
        await download(view.result.rejectsUrl, request.rejectsOut);
        console.log(`rejected rows written to ${request.rejectsOut}`);
      }
      const reason = view.error === undefined ? '' : ` (${view.error.code}): ${view.error.message}`;
      throw new Error(`job ${view.status}${reason}`);
    }
    if (view.status === 'completed' && view.result?.url !== undefined) {
      await download(view.result.url, request.out);
      console.log(
        `result written to ${request.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      if (view.result.rejectsUrl !== undefined) {
        await download(view.result.rejectsUrl, request.rejectsOut);
        console.log(`${view.progress.rowsRejected} rejected rows written to ${request.rejectsOut}`);
      }
      if (view.provider)
        console.log(
          `${view.provider.name}: ${view.provider.requests} requests, ${view.provider.recordsSent} rows sent, ${view.provider.matchesBilled} matches billed, ${view.provider.cacheHits} answered from the cache`,
        );
      if (view.writeBack)
        console.log(
          `written back to Mailchimp: ${view.writeBack.membersWritten} members, ${view.writeBack.errors} refused`,
        );
      return;
    }
    await delay(500);
  }
}

/** Streams a download link into `path`. */
async function download(url: string, path: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok || res.body === null) throw new Error(`download failed: ${res.status}`);
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(path));
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
  const body = (await res.json()) as {
    id?: string;
    detail?: string;
    errors?: { path: string; message: string }[];
  };
  if (!res.ok || body.id === undefined) {
    // The problem document's own words: what was wrong, per field.
    const fields = (body.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new Error(
      `the API refused ${file} (${res.status}): ${body.detail ?? 'no reason given'}` +
        (fields === '' ? '' : ` (${fields})`),
    );
  }
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
  result?: { url?: string; rejectsUrl?: string };
  provider?: {
    name: string;
    requests: number;
    recordsSent: number;
    matchesBilled: number;
    cacheHits: number;
  };
  writeBack?: { membersWritten: number; errors: number };
  error?: { code: string; message: string };
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
