import { csvRecords } from '../chaos/csv-records.ts';
import { WORLD_ROW_ID } from './world-contacts.ts';

export interface RowTally {
  readonly outputRows: number;
  /** Input rows missing from the output. */
  readonly lost: number;
  /** Extra copies of rows already seen. */
  readonly duplicated: number;
  /** Rows whose id is no input row's. */
  readonly unknown: number;
  /** Output rows by `match_source` ('' for none). */
  readonly bySource: Readonly<Record<string, number>>;
  /** Output rows by `match_status`. */
  readonly byStatus: Readonly<Record<string, number>>;
}

/** Counts a result file's rows by their `Row Id` against the ids of the input file. */
export async function tallyRows(
  output: AsyncIterable<string> | Iterable<string>,
  ids: readonly string[],
): Promise<RowTally> {
  const seen = new Map<string, number>(ids.map((id) => [id, 0]));
  const bySource: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  let columns: { id: number; source: number; status: number } | undefined;
  let outputRows = 0;
  let duplicated = 0;
  let unknown = 0;
  for await (const record of csvRecords(output)) {
    if (columns === undefined) {
      columns = {
        id: record.indexOf(WORLD_ROW_ID),
        source: record.indexOf('match_source'),
        status: record.indexOf('match_status'),
      };
      if (columns.id === -1) throw new Error(`the output has no ${WORLD_ROW_ID} column`);
      continue;
    }
    outputRows++;
    const id = record[columns.id] ?? '';
    const times = seen.get(id);
    if (times === undefined) unknown++;
    else {
      if (times > 0) duplicated++;
      seen.set(id, times + 1);
    }
    const source = record[columns.source] ?? '';
    const status = record[columns.status] ?? '';
    bySource[source] = (bySource[source] ?? 0) + 1;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  const lost = [...seen.values()].filter((times) => times === 0).length;
  return { outputRows, lost, duplicated, unknown, bySource, byStatus };
}
