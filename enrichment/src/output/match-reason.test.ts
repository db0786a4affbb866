import { describe, expect, it } from 'vitest';
import { describeAgreement, formatScore, plainEngineReason } from './match-reason.ts';

describe('match reasons in plain words', () => {
  it('formats every score with two decimals, 0.00 to 1.00', () => {
    expect(formatScore(0)).toBe('0.00');
    expect(formatScore(0.99996)).toBe('1.00');
    expect(formatScore(0.8149)).toBe('0.81');
  });

  it('says which fields agreed and how, without jargon', () => {
    expect(
      describeAgreement(
        {
          first_name: 'nickname',
          last_name: 'exact',
          email: 'exact',
          phone: 'missing',
          city: 'different',
        },
        false,
      ),
    ).toBe('same last name and email; first name is a known nickname; different city');
    expect(describeAgreement({ first_name: 'exact', last_name: 'jw92' }, true)).toBe(
      'first and last name swapped; same first name; last name spelled slightly differently',
    );
  });

  it('rewrites the engine reasons for no match', () => {
    expect(plainEngineReason('no directory entry shares a blocking key')).not.toMatch(/block/);
    expect(plainEngineReason('best of 3 candidate(s) scored 0.41, below 0.8')).toBe(
      'closest of 3 directory entries scored 0.41; 0.80 needed',
    );
    expect(
      plainEngineReason('candidate scored 0.30, below 0.8: first_name exact, email different'),
    ).toBe('scored 0.30; 0.80 needed (same first name; different email)');
    expect(plainEngineReason('something new')).toBe('something new');
  });
});
