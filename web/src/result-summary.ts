import { CsvRows } from './csv-rows.ts';

/** Rows by match status, and per enriched field the rows by label (`confirmed`, `new`, …). */
export interface ResultSummary {
  readonly rows: number;
  readonly matchStatus: Readonly<Record<string, number>>;
  readonly fields: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * Counts a result file as it streams (memory stays flat however long it is). The enrichment
 * columns follow the input's: `match_status`, then per field `<field>` and `<field>_status`;
 * the last `match_status` header is the engine's, whatever the input called its own columns.
 */
export class ResultCounter {
  readonly #reader = new CsvRows(',');
  #statusAt = -1;
  #fieldsAt: { name: string; at: number }[] = [];
  #rows = 0;
  readonly #matchStatus: Record<string, number> = {};
  readonly #fields: Record<string, Record<string, number>> = {};

  push(text: string): void {
    for (const row of this.#reader.push(text)) this.#row(row);
  }

  end(): ResultSummary {
    for (const row of this.#reader.end()) this.#row(row);
    return { rows: this.#rows, matchStatus: this.#matchStatus, fields: this.#fields };
  }

  #row(row: string[]): void {
    if (this.#statusAt === -1) {
      this.#header(row);
      return;
    }
    this.#rows++;
    bump(this.#matchStatus, row[this.#statusAt] ?? '');
    for (const { name, at } of this.#fieldsAt) {
      const value = row[at];
      if (value) bump((this.#fields[name] ??= {}), value);
    }
  }

  #header(header: string[]): void {
    this.#statusAt = header.lastIndexOf('match_status');
    if (this.#statusAt === -1) throw new Error('the result file has no match_status column');
    header.forEach((name, at) => {
      if (at > this.#statusAt && name.endsWith('_status'))
        this.#fieldsAt.push({ name: name.slice(0, -'_status'.length), at });
    });
  }
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Downloads and counts a result file. */
export async function summarizeResult(url: string, signal?: AbortSignal): Promise<ResultSummary> {
  const res = await fetch(url, signal === undefined ? {} : { signal });
  if (!res.ok || res.body === null)
    throw new Error(`the result could not be read (HTTP ${res.status})`);
  const counter = new ResultCounter();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    counter.push(value);
  }
  return counter.end();
}
