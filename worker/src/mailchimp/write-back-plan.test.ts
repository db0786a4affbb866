import { recognizeColumns, type EnrichedRow, type FieldLabel } from '@contacts/enrichment';
import { describe, expect, it } from 'vitest';
import { headerFor } from './member-rows.ts';
import { batchOf, batchSlotsPerPage, planWriteBack, writableTags } from './write-back-plan.ts';

const header = headerFor([
  { tag: 'FNAME', type: 'text' },
  { tag: 'LNAME', type: 'text' },
  { tag: 'ADDRESS', type: 'address' },
  { tag: 'PHONE', type: 'text' },
  { tag: 'COMPANY', type: 'text' },
]);
const tags = writableTags(header, recognizeColumns(header));

function label(
  field: FieldLabel['field'],
  status: FieldLabel['status'],
  value: string,
): FieldLabel {
  return { field, status, value, previous: '' };
}

function row(fields: FieldLabel[], rejectReason?: string): EnrichedRow {
  return { values: [], fields, ...(rejectReason === undefined ? {} : { rejectReason }) };
}

describe('writableTags', () => {
  it('maps names, phone and company to their merge tags; never the email or the city', () => {
    expect(Object.fromEntries(tags)).toEqual({
      first_name: 'FNAME',
      last_name: 'LNAME',
      phone: 'PHONE',
      company: 'COMPANY',
    });
  });
});

describe('planWriteBack', () => {
  it('sends only the new and updated fields, under the tags they were read from', () => {
    const plan = planWriteBack(
      [
        {
          email: 'ada@example.com',
          rowNumber: 7,
          enriched: row([
            label('first_name', 'confirmed', 'Ada'),
            label('last_name', 'updated', 'Lovelace'),
            label('company', 'new', 'Analytical Engines'),
            label('city', 'new', 'London'),
            label('email', 'updated', 'ada@other.example'),
            label('phone', 'unverified', '+15550100'),
          ]),
        },
      ],
      tags,
    );

    expect(plan.updates).toEqual([
      {
        email: 'ada@example.com',
        rowNumber: 7,
        mergeFields: { LNAME: 'Lovelace', COMPANY: 'Analytical Engines' },
      },
    ]);
  });

  it('leaves out members with nothing changed and rejected rows', () => {
    const plan = planWriteBack(
      [
        {
          email: 'a@example.com',
          rowNumber: 1,
          enriched: row([label('first_name', 'confirmed', 'A')]),
        },
        {
          email: 'b@example.com',
          rowNumber: 2,
          enriched: row([label('first_name', 'new', 'B')], 'no usable full name, email or phone'),
        },
      ],
      tags,
    );

    expect(plan.updates).toEqual([]);
  });
});

describe('batches', () => {
  it('cuts a plan into batches of at most 500, in order', () => {
    const updates = Array.from({ length: 1000 }, (_, i) => ({
      email: `m${i}@example.com`,
      rowNumber: i + 1,
      mergeFields: { FNAME: 'X' },
    }));

    expect(batchSlotsPerPage(1000)).toBe(2);
    expect(batchSlotsPerPage(200)).toBe(1);
    expect(
      batchOf({ updates }, 0)
        .map((u) => u.rowNumber)
        .at(-1),
    ).toBe(500);
    expect(batchOf({ updates }, 1).map((u) => u.rowNumber)[0]).toBe(501);
    expect(batchOf({ updates }, 2)).toEqual([]);
  });
});
