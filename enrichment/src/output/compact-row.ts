import type { EnrichedField, FieldLabel } from '../match/label-fields.ts';
import type { ParsedName } from '../standardize/standardize-name.ts';
import type { ColumnMapping } from '../standardize/recognize-columns.ts';

/**
 * The compact output: enriched values written into the upload's own columns, and one short
 * `enriched_changes` cell saying what changed and what the cell said before, so nothing the
 * person wrote is lost even though their cell was overwritten.
 */
export interface CompactWriter {
  /**
   * Writes the labels into `values` (the row's input cells, already normalized, and the added
   * field columns from `addedAt`), and returns the `enriched_changes` cell.
   */
  write(values: string[], labels: readonly FieldLabel[], name: ParsedName, addedAt: number): string;
  /** Fields the upload has no column for, in the order of their added columns. */
  readonly addedFields: readonly EnrichedField[];
}

export interface CompactWriterInit {
  readonly mapping: ColumnMapping;
  readonly fields: readonly EnrichedField[];
  /** Whether the job has a source that can supply values (a directory or a provider). */
  readonly hasSource: boolean;
  /** The match key of an email or phone cell's values, to find the cell a label came from. */
  readonly emailKeys: (cell: string) => readonly string[];
  readonly phoneKeys: (cell: string) => readonly string[];
  readonly emailKey: (value: string) => string | undefined;
  readonly phoneKey: (value: string) => string | undefined;
}

// Statuses whose value replaces the row's cell; the others leave the cell as written.
const WRITES = new Set(['confirmed', 'new', 'updated', 'reformatted']);

/** Builds the compact writer of one upload's header. */
export function createCompactWriter(init: CompactWriterInit): CompactWriter {
  const { mapping } = init;
  const s = mapping.single;
  const separateNames = s.first_name !== undefined && s.last_name !== undefined;
  const wholeName = separateNames ? undefined : (s.full_name ?? s.first_name ?? s.last_name);
  const hasColumn = (field: EnrichedField): boolean => {
    switch (field) {
      case 'first_name':
      case 'last_name':
        return s.first_name !== undefined || s.last_name !== undefined || s.full_name !== undefined;
      case 'email':
        return mapping.emails.length > 0;
      case 'phone':
        return mapping.phones.length > 0;
      default:
        return s[field] !== undefined;
    }
  };
  const addedFields = init.hasSource ? init.fields.filter((f) => !hasColumn(f)) : [];

  /** The column of a multi-column field that holds `value` (by key), else the first used one. */
  function columnOf(
    indexes: readonly number[],
    values: readonly string[],
    value: string,
    keyOf: (value: string) => string | undefined,
    keysOf: (cell: string) => readonly string[],
  ): number | undefined {
    const key = value === '' ? undefined : keyOf(value);
    if (key !== undefined) {
      for (const i of indexes) if (keysOf(values[i] ?? '').includes(key)) return i;
    }
    return indexes.find((i) => (values[i] ?? '') !== '') ?? indexes[0];
  }

  function targetOf(label: FieldLabel, values: readonly string[]): number | undefined {
    switch (label.field) {
      case 'first_name':
        return separateNames ? s.first_name : undefined;
      case 'last_name':
        return separateNames ? s.last_name : undefined;
      case 'email':
        return columnOf(
          mapping.emails,
          values,
          label.previous || label.value,
          init.emailKey,
          init.emailKeys,
        );
      case 'phone':
        return columnOf(
          mapping.phones,
          values,
          label.previous || label.value,
          init.phoneKey,
          init.phoneKeys,
        );
      default:
        return s[label.field];
    }
  }

  return {
    addedFields,
    write(values, labels, name, addedAt) {
      const changes: string[] = [];
      let nameChanged = false;
      for (const label of labels) {
        const added = addedFields.indexOf(label.field);
        if (added >= 0) {
          values[addedAt + added] = label.value;
          if (label.value !== '') changes.push(`${label.field}: ${label.status}`);
          continue;
        }
        if (label.status === 'invalid') {
          changes.push(`${label.field}: invalid`);
          continue;
        }
        if (!WRITES.has(label.status)) continue;
        const isName = label.field === 'first_name' || label.field === 'last_name';
        if (isName && wholeName !== undefined) {
          // One cell holds the whole name: rewritten only when a source changed a part of it.
          if (label.status === 'new' || label.status === 'updated') {
            nameChanged = true;
            changes.push(describe(label, label.previous));
          }
          continue;
        }
        const at = targetOf(label, values);
        if (at === undefined) continue;
        const before = values[at] ?? '';
        if (before === label.value) continue;
        values[at] = label.value;
        changes.push(describe(label, before));
      }
      if (nameChanged && wholeName !== undefined) {
        const first = labels.find((l) => l.field === 'first_name')?.value ?? name.first;
        const last = labels.find((l) => l.field === 'last_name')?.value ?? name.last;
        values[wholeName] = [name.prefix, first, name.middle, last, name.suffix]
          .filter((part) => part !== '')
          .join(' ');
      }
      return changes.join('; ');
    },
  };
}

function describe(label: FieldLabel, before: string): string {
  if (before === '') return `${label.field}: ${label.status === 'updated' ? 'new' : label.status}`;
  return `${label.field}: ${label.status} (was ${before})`;
}
