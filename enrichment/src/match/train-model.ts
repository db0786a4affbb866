import type { Contact } from '../standardize/contact.ts';
import type { NicknameTable } from '../nicknames/nicknames.ts';
import {
  COMPARED_FIELDS,
  compareContacts,
  type ComparedField,
  type ComparisonLevel,
  type FieldLevels,
  type FieldModel,
  type LevelProbabilities,
  type MatchModel,
} from './score-candidate.ts';
import { runSteps, type WorkSteps } from '../work-steps.ts';

/** Compared pairs between two yields of trainingSteps (a few milliseconds). */
const PAIRS_PER_STEP = 1_000;

/** Bounds on the work and the freedom of training. See docs/matching.md §4. */
export interface TrainingOptions {
  /** Random entry pairs sampled to estimate u. Default 50,000. */
  readonly randomPairs?: number;
  /** Blocked candidate pairs EM runs over. Default 100,000. */
  readonly emPairs?: number;
  /** Blocks larger than this give no EM pairs (they are mostly strangers). Default 50. */
  readonly maxBlockSize?: number;
  readonly maxIterations?: number;
  /** EM stops when no m moves by more than this. Default 1e-4. */
  readonly tolerance?: number;
  /**
   * Weight of the prior m, in pseudo-pairs (a Dirichlet prior): the m estimates move away from
   * the prior only as far as the evidence of this many expected matches allows. Default 200.
   */
  readonly priorStrength?: number;
  /** Seed of the pair sampler, so a directory always trains to the same model. */
  readonly seed?: number;
}

export interface TrainingInput {
  readonly size: number;
  /** The entry at a position (decoded on demand from a columnar index). */
  readonly contact: (position: number) => Contact;
  /** Each block of entry positions (see BlockIndex.blocks). */
  readonly blocks: () => Iterable<ArrayLike<number>>;
  readonly nicknames: NicknameTable;
  readonly phonetic: (key: string) => readonly string[];
}

// u below this is not measurable from a sample and would give an identifier unbounded weight.
const U_FLOOR = 1e-7;
const U_PSEUDO_PAIRS = 1000;
// m and u stay inside these bounds, and m within a factor of the prior: EM on a directory
// without duplicates (or with households that look alike) must not turn a penalty into evidence.
const P_MIN = 1e-6;
const M_FACTOR = 4;
// Levels whose u random pairs understate: an email local part is mostly made of the name, so
// namesakes share one far more often than random pairs (which rarely share a name) suggest.
const PRIOR_U_LEVELS: Partial<Record<ComparedField, readonly ComparisonLevel[]>> = {
  email: ['similar'],
};
// Above this share of blocked pairs being duplicates, the EM classes are not duplicates.
const MAX_PLAUSIBLE_LAMBDA = 0.2;

/**
 * Learns a directory's model, as Splink does: u from random pairs of entries (two entries picked
 * at random are almost always different people), then m by expectation–maximisation over blocked
 * candidate pairs with u held fixed. `prior` gives the levels, the starting m and a Dirichlet
 * prior on m; term-frequency fields keep their `tf` setting.
 */
export function trainModel(
  input: TrainingInput,
  prior: MatchModel,
  options: TrainingOptions = {},
): MatchModel {
  return runSteps(trainingSteps(input, prior, options));
}

/** trainModel as steps of a few milliseconds (see work-steps.ts). */
export function* trainingSteps(
  input: TrainingInput,
  prior: MatchModel,
  options: TrainingOptions = {},
): WorkSteps<MatchModel> {
  const random = seededRandom(options.seed ?? 0x5eed);
  const n = input.size;
  if (n < 2) return prior;
  const compare = (a: number, b: number): FieldLevels =>
    compareContacts(input.contact(a), input.contact(b), input.nicknames, input.phonetic);

  const randomPairs = Math.min(options.randomPairs ?? 50_000, (n * (n - 1)) / 2);
  const sampled: FieldLevels[] = [];
  for (let i = 0; i < randomPairs; i++) {
    const a = Math.floor(random() * n);
    let b = Math.floor(random() * (n - 1));
    if (b >= a) b++;
    sampled.push(compare(a, b));
    if (i % PAIRS_PER_STEP === 0) yield;
  }
  yield;
  const u = estimateU(sampled, prior);
  yield;

  const maxBlock = options.maxBlockSize ?? 50;
  const limit = options.emPairs ?? 100_000;
  const seen = new Set<number>();
  const blocked: FieldLevels[] = [];
  for (const block of input.blocks()) {
    if (blocked.length >= limit) break;
    if (block.length > maxBlock) continue;
    // Each member decoded once per block, not once per pair (a columnar index decodes on demand).
    const members = Array.from(block, (position) => input.contact(position));
    for (let i = 0; i < block.length && blocked.length < limit; i++) {
      for (let j = i + 1; j < block.length && blocked.length < limit; j++) {
        const swap = (block[i] as number) > (block[j] as number);
        const a = swap ? j : i;
        const b = swap ? i : j;
        const key = (block[a] as number) * n + (block[b] as number);
        if (seen.has(key)) continue;
        seen.add(key);
        blocked.push(
          compareContacts(
            members[a] as Contact,
            members[b] as Contact,
            input.nicknames,
            input.phonetic,
          ),
        );
      }
    }
    yield;
  }
  const start = withU(prior, u);
  const em = yield* emSteps(blocked, start, options);
  // A directory is usually deduplicated: its blocked pairs are namesakes, neighbours and
  // households, and EM then "finds" them as a large match class (λ far above the few true
  // duplicates a CRM holds). Such an m would reward households; keep the prior m instead.
  const plausible = em.converged && em.lambda <= MAX_PLAUSIBLE_LAMBDA;
  return {
    ...(plausible ? em.model : start),
    training: {
      randomPairs,
      emPairs: blocked.length,
      emIterations: em.iterations,
      converged: em.converged,
      lambda: em.lambda,
      mFromEm: plausible,
    },
  };
}

/** u per field and level: the share of random pairs at that level, smoothed toward the prior. */
export function estimateU(
  pairs: readonly FieldLevels[],
  prior: MatchModel,
): Record<ComparedField, Partial<Record<ComparisonLevel, number>>> {
  const out = {} as Record<ComparedField, Partial<Record<ComparisonLevel, number>>>;
  for (const field of COMPARED_FIELDS) {
    const levels = prior.fields[field].levels;
    const counts = new Map<ComparisonLevel, number>();
    let total = 0;
    for (const pair of pairs) {
      const level = pair[field];
      if (level === 'missing' || levels[level] === undefined) continue;
      counts.set(level, (counts.get(level) ?? 0) + 1);
      total++;
    }
    const estimates: Partial<Record<ComparisonLevel, number>> = {};
    for (const [level, probabilities] of Object.entries(levels) as [
      ComparisonLevel,
      LevelProbabilities,
    ][]) {
      if (PRIOR_U_LEVELS[field]?.includes(level) === true) {
        estimates[level] = probabilities.u;
        continue;
      }
      // U_PSEUDO_PAIRS spread by the prior: a small directory, or a level never seen, stays
      // near the prior's u instead of jumping to 0.
      const smoothed =
        ((counts.get(level) ?? 0) + U_PSEUDO_PAIRS * probabilities.u) / (total + U_PSEUDO_PAIRS);
      estimates[level] = Math.max(U_FLOOR, Math.min(1 - P_MIN, smoothed));
    }
    out[field] = estimates;
  }
  return out;
}

function withU(
  model: MatchModel,
  u: Record<ComparedField, Partial<Record<ComparisonLevel, number>>>,
): MatchModel {
  const fields = {} as Record<ComparedField, FieldModel>;
  for (const field of COMPARED_FIELDS) {
    const f = model.fields[field];
    const levels: Partial<Record<ComparisonLevel, LevelProbabilities>> = {};
    for (const [level, probabilities] of Object.entries(f.levels) as [
      ComparisonLevel,
      LevelProbabilities,
    ][]) {
      levels[level] = { m: probabilities.m, u: u[field][level] ?? probabilities.u };
    }
    fields[field] = { ...f, levels };
  }
  return { ...model, fields };
}

export interface EmResult {
  readonly model: MatchModel;
  /** Estimated share of the pairs that are matches. */
  readonly lambda: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Fellegi–Sunter EM with u fixed: the E step gives each pair its match probability under the
 * current m and λ; the M step sets each m to the probability-weighted share of pairs at that
 * level (plus `priorStrength` pseudo-pairs at the starting m), and λ to the mean probability.
 * Missing levels say nothing and are left out of both steps.
 */
export function expectationMaximisation(
  pairs: readonly FieldLevels[],
  start: MatchModel,
  options: TrainingOptions = {},
): EmResult {
  return runSteps(emSteps(pairs, start, options));
}

/** expectationMaximisation as steps: one per iteration (tens of milliseconds at 100,000 pairs). */
function* emSteps(
  pairs: readonly FieldLevels[],
  start: MatchModel,
  options: TrainingOptions,
): WorkSteps<EmResult> {
  const maxIterations = options.maxIterations ?? 30;
  const tolerance = options.tolerance ?? 1e-4;
  const strength = options.priorStrength ?? 200;
  const fields = COMPARED_FIELDS;
  // Level indexes per field, and each pair as a flat array of level indexes (-1 = missing).
  const names = fields.map((f) => Object.keys(start.fields[f].levels) as ComparisonLevel[]);
  const width = fields.length;
  const coded = new Int8Array(pairs.length * width);
  pairs.forEach((pair, p) => {
    fields.forEach((field, f) => {
      coded[p * width + f] = names[f]?.indexOf(pair[field]) ?? -1;
    });
  });
  const priorM = names.map((levels, f) =>
    levels.map((l) => start.fields[fields[f] as ComparedField].levels[l]?.m ?? 0),
  );
  const u = names.map((levels, f) =>
    levels.map((l) => start.fields[fields[f] as ComparedField].levels[l]?.u ?? 1),
  );
  let m = priorM.map((row) => [...row]);
  let lambda = 0.01;
  let iterations = 0;
  let converged = pairs.length === 0;
  const match = new Float64Array(pairs.length);
  while (!converged && iterations < maxIterations) {
    yield;
    iterations++;
    let sum = 0;
    for (let p = 0; p < pairs.length; p++) {
      let logRatio = Math.log(lambda / (1 - lambda));
      for (let f = 0; f < width; f++) {
        const level = coded[p * width + f] as number;
        if (level < 0) continue;
        logRatio += Math.log((m[f]?.[level] ?? 1) / (u[f]?.[level] ?? 1));
      }
      const probability = 1 / (1 + Math.exp(-Math.max(-700, Math.min(700, logRatio))));
      match[p] = probability;
      sum += probability;
    }
    const next = priorM.map((row) => row.map((prior) => strength * prior));
    const totals = priorM.map(() => strength);
    for (let p = 0; p < pairs.length; p++) {
      const probability = match[p] as number;
      for (let f = 0; f < width; f++) {
        const level = coded[p * width + f] as number;
        if (level < 0) continue;
        const row = next[f] as number[];
        row[level] = (row[level] ?? 0) + probability;
        totals[f] = (totals[f] ?? 0) + probability;
      }
    }
    let delta = 0;
    const updated = next.map((row, f) =>
      row.map((count, level) => {
        const prior = priorM[f]?.[level] ?? 0;
        const value = Math.min(
          Math.max(count / (totals[f] ?? 1), prior / M_FACTOR, P_MIN),
          Math.min(prior * M_FACTOR, 1 - P_MIN),
        );
        delta = Math.max(delta, Math.abs(value - (m[f]?.[level] ?? 0)));
        return value;
      }),
    );
    m = updated;
    lambda = Math.min(Math.max(sum / pairs.length, P_MIN), 1 - P_MIN);
    converged = delta < tolerance;
  }
  const out = {} as Record<ComparedField, FieldModel>;
  fields.forEach((field, f) => {
    const levels: Partial<Record<ComparisonLevel, LevelProbabilities>> = {};
    names[f]?.forEach((level, l) => {
      levels[level] = { m: m[f]?.[l] ?? 0, u: u[f]?.[l] ?? 1 };
    });
    const tf = start.fields[field].tf;
    out[field] = tf === undefined ? { levels } : { levels, tf };
  });
  return { model: { ...start, fields: out }, lambda, iterations, converged };
}

/** mulberry32: a small deterministic generator, so the same directory trains the same model. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
