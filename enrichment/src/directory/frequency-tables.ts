/** Field whose value frequencies weight exact agreement (agreeing on "Smith" says less than on "Zawadzki"). */
export const FREQUENCY_FIELDS = [
  'first',
  'last',
  'company',
  'city',
  'title',
  'street',
  'postcode',
] as const;
export type FrequencyField = (typeof FREQUENCY_FIELDS)[number];

/**
 * How many directory entries carry each value of the frequency fields, plus which values are a
 * surname core: one row of counts per field, indexed by the value's StringPool id (exact, no
 * hashing: the weight of an agreement depends on it). Rows grow with the pool.
 */
export interface FrequencyTables {
  /** Counts one more entry with value `id` (0, the empty string, is not counted). */
  count(field: FrequencyField, id: number): void;
  markLastCore(id: number): void;
  frequency(field: FrequencyField, id: number): number;
  isLastCore(id: number): boolean;
  commonest(field: FrequencyField): number;
  /** Ids counted at least once in a field, or marked as surname cores. */
  ids(field: FrequencyField | 'lastCore'): number[];
  /** FREQUENCY_FIELDS.length + 1 rows of `width` counts (the last row: surname-core flags). */
  parts(width: number): Uint32Array;
  /** The count rows (views of an artifact's bytes when loaded from one). */
  views(): readonly Uint32Array[];
}

const ROWS = FREQUENCY_FIELDS.length + 1;
const LAST_CORE = FREQUENCY_FIELDS.length;
const ROW: Readonly<Record<FrequencyField, number>> = Object.fromEntries(
  FREQUENCY_FIELDS.map((field, i) => [field, i]),
) as Record<FrequencyField, number>;

/** Empty tables, or tables over rows read from an artifact (see parts()). */
export function createFrequencyTables(stored?: {
  counts: Uint32Array;
  width: number;
}): FrequencyTables {
  let width = stored?.width ?? 1024;
  let rows: Uint32Array[] = Array.from({ length: ROWS }, (_, r) =>
    stored === undefined
      ? new Uint32Array(width)
      : stored.counts.subarray(r * width, (r + 1) * width),
  );
  const ensure = (id: number): void => {
    if (id < width) return;
    width = Math.max(id + 1, Math.ceil(width * 1.5));
    rows = rows.map((row) => {
      const grown = new Uint32Array(width);
      grown.set(row);
      return grown;
    });
  };
  const row = (r: number): Uint32Array => rows[r] as Uint32Array;
  return {
    count(field, id) {
      if (id === 0) return;
      ensure(id);
      const counts = row(ROW[field]);
      counts[id] = (counts[id] as number) + 1;
    },
    markLastCore(id) {
      if (id === 0) return;
      ensure(id);
      row(LAST_CORE)[id] = 1;
    },
    frequency: (field, id) => (id > 0 && id < width ? (row(ROW[field])[id] as number) : 0),
    isLastCore: (id) => id > 0 && id < width && row(LAST_CORE)[id] === 1,
    commonest(field) {
      let most = 0;
      for (const count of row(ROW[field])) if (count > most) most = count;
      return most;
    },
    ids(field) {
      const counts = row(field === 'lastCore' ? LAST_CORE : ROW[field]);
      const out: number[] = [];
      for (let id = 1; id < counts.length; id++) if ((counts[id] as number) > 0) out.push(id);
      return out;
    },
    parts(size) {
      const out = new Uint32Array(ROWS * size);
      rows.forEach((counts, r) => {
        out.set(counts.subarray(0, Math.min(size, width)), r * size);
      });
      return out;
    },
    views: () => rows,
  };
}
