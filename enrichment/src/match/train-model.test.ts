import { describe, expect, it } from 'vitest';
import {
  COMPARED_FIELDS,
  DEFAULT_MATCH_MODEL,
  levelWeight,
  type ComparisonLevel,
  type FieldLevels,
  type MatchModel,
  type ScoringContext,
} from './score-candidate.ts';
import { estimateU, expectationMaximisation } from './train-model.ts';
import { createPhoneticEncoder } from './phonetic-key.ts';
import { testNicknames } from '../test-factories.ts';

/** A deterministic generator for the synthetic pairs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const allMissing = (): FieldLevels =>
  Object.fromEntries(COMPARED_FIELDS.map((f) => [f, 'missing'])) as FieldLevels;

/** Pairs over three comparisons whose true m and u are known. */
function syntheticPairs(count: number, matchShare: number): FieldLevels[] {
  const next = random(42);
  const draw = (probabilities: readonly [ComparisonLevel, number][]): ComparisonLevel => {
    let x = next();
    for (const [level, p] of probabilities) {
      x -= p;
      if (x < 0) return level;
    }
    return probabilities[probabilities.length - 1]?.[0] ?? 'different';
  };
  const pairs: FieldLevels[] = [];
  for (let i = 0; i < count; i++) {
    const match = next() < matchShare;
    const pair = allMissing();
    pair.last_name = match
      ? draw([
          ['exact', 0.9],
          ['jw92', 0.06],
          ['different', 0.04],
        ])
      : draw([
          ['exact', 0.05],
          ['jw92', 0.05],
          ['different', 0.9],
        ]);
    pair.birth_date = match
      ? draw([
          ['exact', 0.85],
          ['typo', 0.1],
          ['different', 0.05],
        ])
      : draw([
          ['exact', 0.01],
          ['typo', 0.04],
          ['different', 0.95],
        ]);
    pair.postcode = match
      ? draw([
          ['exact', 0.8],
          ['partial', 0.1],
          ['different', 0.1],
        ])
      : draw([
          ['exact', 0.1],
          ['partial', 0.2],
          ['different', 0.7],
        ]);
    pairs.push(pair);
  }
  return pairs;
}

/** The default model with the true u of the synthetic data and a rough starting m. */
function startModel(): MatchModel {
  const u = {
    last_name: { exact: 0.05, jw92: 0.05, different: 0.9 },
    birth_date: { exact: 0.01, typo: 0.04, different: 0.95 },
    postcode: { exact: 0.1, partial: 0.2, different: 0.7 },
  } as const;
  const m = {
    last_name: { exact: 0.7, jw92: 0.15, different: 0.15 },
    birth_date: { exact: 0.6, typo: 0.2, different: 0.2 },
    postcode: { exact: 0.6, partial: 0.2, different: 0.2 },
  } as const;
  const fields = { ...DEFAULT_MATCH_MODEL.fields };
  for (const field of ['last_name', 'birth_date', 'postcode'] as const) {
    const levels = Object.fromEntries(
      Object.entries(u[field]).map(([level, value]) => [
        level,
        { m: (m[field] as Record<string, number>)[level] ?? 0, u: value },
      ]),
    );
    fields[field] = { levels };
  }
  return { ...DEFAULT_MATCH_MODEL, fields };
}

describe('expectationMaximisation', () => {
  it('recovers known m probabilities and the match share from unlabelled pairs', () => {
    const pairs = syntheticPairs(40_000, 0.3);
    const result = expectationMaximisation(pairs, startModel(), {
      priorStrength: 1,
      maxIterations: 200,
      tolerance: 1e-6,
    });
    expect(result.converged).toBe(true);
    expect(result.lambda).toBeCloseTo(0.3, 1);
    const m = (field: 'last_name' | 'birth_date' | 'postcode', level: ComparisonLevel): number =>
      result.model.fields[field].levels[level]?.m ?? NaN;
    expect(Math.abs(m('last_name', 'exact') - 0.9)).toBeLessThan(0.03);
    expect(Math.abs(m('birth_date', 'exact') - 0.85)).toBeLessThan(0.03);
    expect(Math.abs(m('birth_date', 'typo') - 0.1)).toBeLessThan(0.03);
    expect(Math.abs(m('postcode', 'exact') - 0.8)).toBeLessThan(0.03);
    expect(Math.abs(m('postcode', 'partial') - 0.1)).toBeLessThan(0.03);
  });

  it('keeps the prior m when there is nothing to learn from', () => {
    const result = expectationMaximisation([], startModel());
    expect(result.model.fields.last_name.levels.exact?.m).toBe(0.7);
  });
});

describe('estimateU', () => {
  it('measures u on random pairs, smoothed toward the prior for rare levels', () => {
    const pairs = syntheticPairs(50_000, 0);
    const u = estimateU(pairs, startModel());
    expect(Math.abs((u.last_name.exact ?? 0) - 0.05)).toBeLessThan(0.01);
    expect(Math.abs((u.postcode.partial ?? 0) - 0.2)).toBeLessThan(0.01);
    // Never seen in random pairs: stays small but finite.
    expect(u.email.exact).toBeGreaterThan(0);
    expect(u.email.exact).toBeLessThan(1e-5);
  });
});

describe('term-frequency adjustment', () => {
  const context = (counts: Record<string, number>): ScoringContext => ({
    model: DEFAULT_MATCH_MODEL,
    nicknames: testNicknames(),
    phonetic: createPhoneticEncoder(),
    directorySize: 100_000,
    frequency: (_field, key) => counts[key] ?? 0,
  });

  it('weighs agreement on a common surname less than on a rare one', () => {
    const c = context({ smith: 1_000, zawadzki: 1 });
    const common = levelWeight('last_name', 'exact', 'smith', c);
    const rare = levelWeight('last_name', 'exact', 'zawadzki', c);
    expect(rare - common).toBeGreaterThan(5);
    // Levels other than exact are not adjusted.
    expect(levelWeight('last_name', 'jw92', 'smith', c)).toBe(
      levelWeight('last_name', 'jw92', 'zawadzki', c),
    );
  });
});
