import type { ColumnMapping, EnrichedRow, FieldLabel } from '@contacts/enrichment';
import { MAX_UPSERT_MEMBERS, type MemberUpdate } from './audience.ts';
import { EMAIL_COLUMN, mergeTagOf } from './member-rows.ts';

/** A member to write back, with its row number for the rejects file. */
export interface PlannedUpdate extends MemberUpdate {
  readonly rowNumber: number;
}

/** What one page writes back, stored as JSON under the page's write-back plan key. */
export interface WriteBackPlan {
  readonly updates: readonly PlannedUpdate[];
}

/** Statuses whose value is not what the audience holds: the only ones sent. */
const CHANGED: ReadonlySet<FieldLabel['status']> = new Set(['new', 'updated']);

/**
 * Where each enriched field goes back to: the merge tag of the column it was read from. The
 * email is the member's key and address parts are one object in Mailchimp (sending a city
 * alone would need the whole address), so neither is written back.
 */
export function writableTags(
  columns: readonly string[],
  mapping: ColumnMapping,
): ReadonlyMap<FieldLabel['field'], string> {
  const tags = new Map<FieldLabel['field'], string>();
  const add = (field: FieldLabel['field'], index: number | undefined): void => {
    const tag = index === undefined ? undefined : mergeTagOf(columns[index] ?? EMAIL_COLUMN);
    if (tag !== undefined) tags.set(field, tag);
  };
  add('first_name', mapping.single.first_name);
  add('last_name', mapping.single.last_name);
  add('company', mapping.single.company);
  add('title', mapping.single.title);
  add('phone', mapping.phones[0]);
  return tags;
}

/**
 * The page's members whose enrichment changed a writable field, with only those fields; rows
 * the enricher labelled nothing for (rejected, no match) send nothing.
 */
export function planWriteBack(
  rows: readonly {
    readonly email: string;
    readonly rowNumber: number;
    readonly enriched: EnrichedRow;
  }[],
  tags: ReadonlyMap<FieldLabel['field'], string>,
): WriteBackPlan {
  const updates: PlannedUpdate[] = [];
  for (const { email, rowNumber, enriched } of rows) {
    if (enriched.rejectReason !== undefined || email === '') continue;
    const mergeFields: Record<string, string> = {};
    for (const label of enriched.fields ?? []) {
      const tag = tags.get(label.field);
      if (tag !== undefined && CHANGED.has(label.status) && label.value !== '')
        mergeFields[tag] = label.value;
    }
    if (Object.keys(mergeFields).length > 0) updates.push({ email, rowNumber, mergeFields });
  }
  return { updates };
}

/** Write-back batches a page of `count` members may need: its chunk slots, fixed at split. */
export function batchSlotsPerPage(pageSize: number): number {
  return Math.ceil(pageSize / MAX_UPSERT_MEMBERS);
}

/** The members of batch `batch` of a plan (empty past its end). */
export function batchOf(plan: WriteBackPlan, batch: number): readonly PlannedUpdate[] {
  return plan.updates.slice(batch * MAX_UPSERT_MEMBERS, (batch + 1) * MAX_UPSERT_MEMBERS);
}
