import { describe, expect, it } from 'vitest';
import { planKills } from './kill-plan.ts';

const sum = (quotas: Record<string, number>): number =>
  Object.values(quotas).reduce((a, b) => a + b, 0);

describe('planKills', () => {
  it('aims at every stage and spends exactly the budget', () => {
    for (const total of [5, 10, 20, 100]) {
      const quotas = planKills(total);
      expect(sum(quotas)).toBe(total);
      expect(quotas.split).toBeGreaterThan(0);
      expect(quotas['part-written']).toBeGreaterThan(0);
      expect(quotas.merge).toBeGreaterThan(0);
      expect(quotas['mid-chunk']).toBeGreaterThan(0);
      expect(quotas['processing-merge']).toBeGreaterThan(0);
      expect(quotas.random).toBeGreaterThanOrEqual(0);
    }
    expect(planKills(20)).toEqual({
      split: 3,
      'part-written': 4,
      merge: 3,
      'mid-chunk': 4,
      'processing-merge': 1,
      random: 5,
    });
  });

  it('puts a small budget on the riskiest stages first', () => {
    expect(planKills(2)).toMatchObject({ split: 1, 'part-written': 1, merge: 0 });
    expect(planKills(4)).toMatchObject({ 'mid-chunk': 1, 'processing-merge': 0 });
    expect(sum(planKills(0))).toBe(0);
  });
});
