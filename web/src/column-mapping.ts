import { recognizeColumns, type MappableField } from '@contacts/enrichment/recognize-columns';

/** Fields a column can be mapped to, in the order the page lists them. */
export const MAPPABLE_FIELDS: readonly MappableField[] = [
  'full_name',
  'first_name',
  'middle_name',
  'last_name',
  'prefix',
  'suffix',
  'nickname',
  'email',
  'phone',
  'company',
  'title',
  'city',
  'updated_at',
];

const MULTI: ReadonlySet<MappableField> = new Set(['email', 'phone']);

/** The field each column holds ('' = passed through untouched), as the server would read it. */
export type ColumnFields = readonly (MappableField | '')[];

/**
 * Recognizes the header the way the workers do (the same module), so what the page shows is
 * what the job will use. `usable` is false when no name, email or phone column was found.
 */
export function recognize(header: readonly string[]): { fields: ColumnFields; usable: boolean } {
  try {
    const mapping = recognizeColumns(header);
    const fields: (MappableField | '')[] = header.map(() => '');
    for (const [field, index] of Object.entries(mapping.single))
      fields[index] = field as MappableField;
    for (const index of mapping.emails) fields[index] = 'email';
    for (const index of mapping.phones) fields[index] = 'phone';
    return { fields, usable: true };
  } catch {
    return { fields: header.map(() => ''), usable: false };
  }
}

/** The `columnMapping` job option for a mapping a person edited; problems when it cannot be one. */
export function toColumnMapping(
  header: readonly string[],
  fields: ColumnFields,
): { mapping: Record<string, string | string[]>; problems: string[] } {
  const byField = new Map<MappableField, string[]>();
  fields.forEach((field, index) => {
    const name = header[index];
    if (field === '' || name === undefined) return;
    byField.set(field, [...(byField.get(field) ?? []), name]);
  });
  const problems: string[] = [];
  const mapping: Record<string, string | string[]> = {};
  for (const [field, names] of byField) {
    if (MULTI.has(field)) mapping[field] = names;
    else if (names.length > 1)
      problems.push(`“${label(field)}” is chosen for ${names.length} columns; pick one.`);
    else mapping[field] = names[0]!;
  }
  const hasKey = ['full_name', 'first_name', 'last_name', 'email', 'phone'].some(
    (f) => f in mapping,
  );
  if (!hasKey) problems.push('Map at least one name, email or phone column.');
  return { mapping, problems };
}

/** A field name for people: `first_name` → `First name`. */
export function label(field: string): string {
  const words = field.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
