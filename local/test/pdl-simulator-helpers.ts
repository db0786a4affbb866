import type { PdlSimulator } from '../src/index.ts';

/** One bulk call as a client makes it; `body` is parsed JSON, or undefined if the call broke. */
export interface BulkCall {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export async function postBulk(
  simulator: PdlSimulator,
  body: unknown,
  /** null sends no key at all. */
  key: string | null = simulator.apiKeys[0] ?? null,
): Promise<BulkCall> {
  const res = await fetch(`${simulator.url}/v5/person/bulk`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { 'x-api-key': key }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** A bulk call whose items are PDL answers. */
export async function bulkItems(
  simulator: PdlSimulator,
  requests: readonly { params: Record<string, unknown>; metadata?: unknown }[],
  options: Record<string, unknown> = {},
): Promise<BulkItem[]> {
  const call = await postBulk(simulator, { requests, ...options });
  if (call.status !== 200) throw new Error(`bulk answered ${String(call.status)}`);
  return call.body as BulkItem[];
}

export interface BulkItem {
  readonly status: number;
  readonly likelihood?: number;
  readonly data?: Record<string, unknown> & { id: string };
  readonly error?: { type: string; message: string };
  readonly metadata?: unknown;
}

/** The parts of a CSV a test needs: quoted fields, doubled quotes, newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"' && text.charAt(i + 1) === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
