import { DEFAULT_MAILCHIMP_SIM_KEY } from '../mailchimp-simulator/simulator-options.ts';
import type { MailchimpSource } from './submit-options.ts';

/** Query options that the JSON body of `POST /v1/jobs` takes as numbers or objects. */
const NUMERIC_OPTIONS = new Set(['chunkRows', 'toleratedRejectPercent']);

/**
 * Creates a job that imports a Mailchimp audience (queued at once, no upload) and returns its id.
 * `options` are the same job options a file upload sends in its query string.
 */
export async function createMailchimpJob(
  api: string,
  headers: Record<string, string>,
  source: MailchimpSource,
  options: URLSearchParams,
): Promise<string> {
  const connectionId = source.connectionId ?? (await sampleConnection(api, headers));
  const body: Record<string, unknown> = {
    source: { type: 'mailchimp', connectionId, listId: source.listId },
    writeBack: source.writeBack,
  };
  for (const [name, value] of options) {
    if (name === 'fileName') continue;
    if (name === 'columnMapping') body[name] = JSON.parse(value) as unknown;
    else body[name] = NUMERIC_OPTIONS.has(name) ? Number(value) : value;
  }
  const res = await fetch(`${api}/v1/jobs`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { id?: string; detail?: string };
  if (!res.ok || answer.id === undefined)
    throw new Error(
      `the API refused the Mailchimp job (${res.status}): ${answer.detail ?? JSON.stringify(answer)}`,
    );
  return answer.id;
}

/**
 * This tenant's first Mailchimp connection, else a new one with the local simulator's sample key
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
  const body = (await created.json()) as { id?: string; detail?: string };
  if (!created.ok || body.id === undefined)
    throw new Error(
      `could not create a connection with the simulator's sample key (${created.status}): ${body.detail ?? JSON.stringify(body)}; pass --connection ID`,
    );
  console.log(`connection ${body.id} created with the Mailchimp simulator's sample key`);
  return body.id;
}
