import type { Contact } from '../standardize/contact.ts';
import {
  addressWeight,
  COMPARED_FIELDS,
  levelWeight,
  scoreCandidate,
  TF_SMOOTHING,
  type ComparedField,
  type ComparisonLevel,
  type LevelProbabilities,
  type MatchModel,
  type ScoringContext,
} from './score-candidate.ts';
import type { FrequencyField } from '../directory/directory-index.ts';

/** Frequencies the explanation quotes: the most common value of each TF field. */
export interface TfSummary {
  readonly field: FrequencyField;
  /** How many entries carry the most common value, and how many a unique value. */
  readonly commonest: number;
}

/**
 * A plain-text table of the model: per compared field and level, m, u and the weight in bits;
 * for term-frequency fields, the exact-agreement weight of a unique value and of the commonest.
 */
export function explainModel(
  model: MatchModel,
  directorySize: number,
  commonest: (field: FrequencyField) => number,
): string {
  const lines: string[] = [];
  const t = model.training;
  lines.push(
    t === undefined
      ? 'model: prior (not trained)'
      : `model: u from ${t.randomPairs} random pairs; m ${t.mFromEm ? 'by EM' : 'kept at the prior (EM classes implausible)'} over ${t.emPairs} blocked pairs, ${t.emIterations} iterations${t.converged ? '' : ' (not converged)'}, λ=${t.lambda.toExponential(2)}`,
  );
  lines.push(
    `swapped names ${fmt(model.swapPenalty)} bits; address agreement capped at the strongest field + ${String(model.addressExtraBits)} bits`,
  );
  lines.push('');
  lines.push(
    `${'field'.padEnd(12)} ${'level'.padEnd(11)} ${'m'.padStart(9)} ${'u'.padStart(9)}  weight (bits)`,
  );
  for (const field of COMPARED_FIELDS) {
    const f = model.fields[field];
    for (const [level, p] of Object.entries(f.levels) as [ComparisonLevel, LevelProbabilities][]) {
      let line = `${field.padEnd(12)} ${level.padEnd(11)} ${p.m.toExponential(2).padStart(9)} ${p.u.toExponential(2).padStart(9)}  ${fmt(Math.log2(p.m / p.u))}`;
      if (level === 'exact' && f.tf !== undefined) {
        const unique = tfWeight(p, 1, directorySize);
        const common = tfWeight(p, Math.max(1, commonest(f.tf)), directorySize);
        line += `   TF: unique value ${fmt(unique)}, commonest value (${String(commonest(f.tf))}×) ${fmt(common)}`;
      }
      lines.push(line);
    }
  }
  return lines.join('\n');
}

function tfWeight(p: LevelProbabilities, count: number, size: number): number {
  return Math.log2(p.m / ((count + TF_SMOOTHING * p.u) / (size + TF_SMOOTHING)));
}

function fmt(bits: number): string {
  return (bits >= 0 ? '+' : '') + bits.toFixed(2);
}

/** Why a row scored what it did against one entry: each field's level and weight. */
export function explainPair(query: Contact, entry: Contact, context: ScoringContext): string {
  const score = scoreCandidate(query, entry, context);
  const parts: string[] = [];
  const address: ComparedField[] = ['city', 'street', 'street2', 'postcode', 'state', 'country'];
  for (const field of COMPARED_FIELDS) {
    const level = score.levels[field];
    if (level === 'missing' || address.includes(field)) continue;
    const value = tfValue(field, entry);
    parts.push(`${field} ${level} ${fmt(levelWeight(field, level, value, context))}`);
  }
  const shown = address.filter((f) => score.levels[f] !== 'missing');
  if (shown.length > 0) {
    // The agreeing surname is capped with the address (a household shares both).
    const surname = score.swapped
      ? 0
      : Math.max(0, levelWeight('last_name', score.levels.last_name, entry.lastKey, context));
    parts.push(
      `address (${shown.map((f) => `${f} ${score.levels[f]}`).join(', ')}) ${fmt(addressWeight(score.levels, entry, context, surname) - surname)} after the household cap`,
    );
  }
  return `${score.swapped ? 'names swapped; ' : ''}${parts.join('; ')}; total ${fmt(score.weight)} bits`;
}

function tfValue(field: ComparedField, entry: Contact): string {
  switch (field) {
    case 'first_name':
      return entry.firstKey;
    case 'last_name':
      return entry.lastKey;
    case 'company':
      return entry.companyKey;
    case 'title':
      return entry.titleKey;
    default:
      return '';
  }
}
