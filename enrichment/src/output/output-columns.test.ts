import { describe, expect, it } from 'vitest';
import { enrichmentColumnNames, fieldColumnName, indexOutputColumns } from './output-columns.ts';

describe('enrichment column names', () => {
  const fields = ['email', 'phone'];

  it('names every added column match_* or enriched_*, three per field in full output', () => {
    expect(enrichmentColumnNames(['Email', 'Phone'], { mode: 'full', fields })).toEqual([
      'match_status',
      'match_id',
      'match_source',
      'match_score',
      'match_reason',
      'enriched_email',
      'enriched_email_status',
      'enriched_email_previous',
      'enriched_phone',
      'enriched_phone_status',
      'enriched_phone_previous',
    ]);
  });

  it('adds only the missing fields and a changes column in compact output', () => {
    expect(
      enrichmentColumnNames(['Email'], { mode: 'compact', fields, addedFields: ['phone'] }),
    ).toEqual([
      'match_status',
      'match_id',
      'match_source',
      'match_score',
      'match_reason',
      'enriched_phone',
      'enriched_changes',
    ]);
  });

  it('suffixes the whole set when any name is taken, up to case and punctuation', () => {
    const names = enrichmentColumnNames(['Enriched Email', 'MATCH_STATUS_2'], {
      mode: 'full',
      fields,
    });
    expect(names[0]).toBe('match_status_3');
    expect(names.every((name) => name.endsWith('_3'))).toBe(true);
  });

  it('finds the columns of the last run in an output header', () => {
    const header = [
      'Email',
      'match_status',
      'enriched_email',
      'match_status_2',
      'enriched_email_2',
    ];
    const index = indexOutputColumns(header);
    expect(index.match('match_status')).toBe(3);
    expect(index.field('email')).toBe(4);
    expect(index.field('email', 'status')).toBe(-1);
    expect(fieldColumnName('email', 'previous')).toBe('enriched_email_previous');
  });
});
