import {
  visitQueryBlockingKeys,
  type BlockingContext,
  type BlockingKeySink,
} from './blocking-keys.ts';
import type { Contact } from '../standardize/contact.ts';
import type { DirectoryEntry, DirectoryIndex } from '../directory/directory-index.ts';
import { EnrichmentOptionsError } from '../errors.ts';
import type { NicknameTable } from '../nicknames/nicknames.ts';
import { createPhoneticEncoder } from './phonetic-key.ts';
import {
  COMPARED_FIELDS,
  DEFAULT_MATCH_MODEL,
  scoreCandidate,
  type CandidateScore,
  type MatchModel,
  type ScoringContext,
} from './score-candidate.ts';

export type MatchStatus = 'exact' | 'fuzzy' | 'nickname' | 'none';

/** Thresholds of the match decision. See docs/matching.md for how to tune them. */
export interface MatchOptions {
  /** Accept the best candidate only if its match probability is at least this. Default 0.8. */
  readonly minScore?: number;
  /** …and its weight beats the runner-up's by at least this many bits. Default 4. */
  readonly minMarginBits?: number;
  /**
   * log2 of the prior odds that a row matches one given entry; turns weights into the
   * probability reported as match_score. Default -log2(directory size): a row is assumed to be
   * in the directory, equally likely any entry, so the name, email… evidence must single one out.
   */
  readonly priorLog2Odds?: number;
  /** Blocks bigger than this are skipped (a common name or a shared switchboard). Default 100. */
  readonly maxBlockSize?: number;
  /** At most this many candidates are scored per row. Default 300. */
  readonly maxCandidates?: number;
  /** Field weights; defaults to the directory's learned model (DEFAULT_MATCH_MODEL for providers). */
  readonly model?: MatchModel;
}

export interface MatchResult {
  readonly status: MatchStatus;
  /** The accepted entry, when status is not "none". */
  readonly entry: DirectoryEntry | undefined;
  /** Match probability of the accepted entry (0 when none). */
  readonly score: number;
  /** Short account of the decision: which fields agreed and how. Never contains row data. */
  readonly reason: string;
  /** True when the row's given name and surname were swapped. */
  readonly swapped: boolean;
  readonly detail: CandidateScore | undefined;
}

export interface Matcher {
  match(contact: Contact): MatchResult;
  /** Positions of the directory entries blocking would compare with this contact. */
  candidates(contact: Contact): number[];
}

/** Creates the blocking + scoring + decision step over one directory. */
export function createMatcher(
  directory: DirectoryIndex,
  options: MatchOptions = {},
  nicknames: NicknameTable = directory.nicknames,
): Matcher {
  const minScore = options.minScore ?? 0.8;
  const minMargin = options.minMarginBits ?? 4;
  const prior = options.priorLog2Odds ?? -Math.log2(Math.max(2, directory.size));
  const maxBlock = options.maxBlockSize ?? 100;
  const maxCandidates = options.maxCandidates ?? 300;
  if (!(minScore > 0 && minScore < 1))
    throw new EnrichmentOptionsError('minScore must be between 0 and 1');
  if (!(minMargin >= 0)) throw new EnrichmentOptionsError('minMarginBits must be 0 or more');
  if (!(maxBlock >= 1 && maxCandidates >= 1)) {
    throw new EnrichmentOptionsError('maxBlockSize and maxCandidates must be at least 1');
  }
  const phonetic = createPhoneticEncoder();
  const blocking: BlockingContext = { nicknames, phonetic };
  const scoring: ScoringContext = {
    model: options.model ?? directory.model,
    nicknames,
    phonetic,
    directorySize: directory.size,
    frequency: (field, key) => directory.frequency(field, key),
  };
  // Generation-stamped "seen" marks: deduplicates candidates without allocating a Set per row.
  const seen = new Uint32Array(directory.size);
  let generation = 0;

  // The row's candidate list that `collector` appends to; set before each visit.
  let out: number[] = [];

  const blocks = directory.blocks;
  const { offsets, positions: blocked } = blocks;

  /** Adds the entries of block `k` (-1: no such key) not seen yet in this row's generation. */
  function collect(k: number): void {
    if (k < 0 || out.length >= maxCandidates) return;
    const start = offsets[k] as number;
    const end = offsets[k + 1] as number;
    if (end - start > maxBlock) return;
    for (let i = start; i < end; i++) {
      const position = blocked[i] as number;
      if (seen[position] !== generation) {
        seen[position] = generation;
        out.push(position);
      }
    }
  }

  const collector: BlockingKeySink = {
    email: (key) => {
      collect(blocks.email(key));
    },
    phone: (e164) => {
      collect(blocks.phone(e164));
    },
    localPart: (local) => {
      collect(blocks.localPart(local));
    },
    name: (canon, last) => {
      collect(blocks.name(canon, last));
    },
    phonetic: (code, canon) => {
      collect(blocks.phonetic(code, canon));
    },
    initial: (initial, last) => {
      collect(blocks.initial(initial, last));
    },
    other: (key) => {
      collect(blocks.other(key));
    },
  };

  /** Appends to `positions` the entries under the contact's keys of one pass, unseen so far. */
  function collectPass(contact: Contact, pass: 1 | 2, positions: number[]): void {
    out = positions;
    visitQueryBlockingKeys(contact, blocking, directory.vocabulary, pass, collector);
    out = [];
  }

  function nextGeneration(): void {
    generation++;
    if (generation === 0xffffffff) {
      seen.fill(0);
      generation = 1;
    }
  }

  function candidates(contact: Contact): number[] {
    nextGeneration();
    const positions: number[] = [];
    collectPass(contact, 1, positions);
    collectPass(contact, 2, positions);
    return positions.slice(0, maxCandidates);
  }

  interface Ranking {
    best: CandidateScore | undefined;
    bestPosition: number;
    runnerUp: number;
  }

  function rank(
    contact: Contact,
    positions: readonly number[],
    from: number,
    ranking: Ranking,
  ): void {
    for (let i = from; i < positions.length; i++) {
      const position = positions[i] as number;
      const scored = scoreCandidate(contact, directory.contact(position), scoring);
      if (ranking.best === undefined || scored.weight > ranking.best.weight) {
        if (ranking.best !== undefined) ranking.runnerUp = ranking.best.weight;
        ranking.best = scored;
        ranking.bestPosition = position;
      } else if (scored.weight > ranking.runnerUp) ranking.runnerUp = scored.weight;
    }
  }

  function decide(ranking: Ranking, considered: number): MatchResult {
    const { best } = ranking;
    if (best === undefined) return noMatch('no directory entry shares a blocking key');
    const score = toProbability(best.weight + prior);
    if (score < minScore) {
      return noMatch(
        `best of ${considered} candidate(s) scored ${score.toFixed(2)}, below ${minScore}`,
      );
    }
    const margin = best.weight - ranking.runnerUp;
    if (margin < minMargin) {
      return noMatch(
        `ambiguous: runner-up within ${margin.toFixed(1)} bits of the best (need ${minMargin})`,
      );
    }
    return {
      status: statusOf(best),
      entry: directory.entry(ranking.bestPosition),
      score,
      reason: describeLevels(best),
      swapped: best.swapped,
      detail: best,
    };
  }

  function match(contact: Contact): MatchResult {
    nextGeneration();
    const positions: number[] = [];
    const ranking: Ranking = { best: undefined, bestPosition: -1, runnerUp: -Infinity };
    collectPass(contact, 1, positions);
    rank(contact, positions, 0, ranking);
    const first = decide(ranking, positions.length);
    if (first.status !== 'none') return first;
    // Nothing acceptable from the cheap keys: widen to swapped names and phonetic blocks.
    const before = positions.length;
    collectPass(contact, 2, positions);
    if (positions.length === before) return first;
    rank(contact, positions, before, ranking);
    return decide(ranking, positions.length);
  }

  return { match, candidates };
}

/** A record proposed by a provider for one row: verified before it is accepted. */
export interface ProposedCandidate {
  readonly id: string;
  readonly contact: Contact;
}

export interface CandidateVerifier {
  /** Accepts `candidate` for `contact` only if the scoring would accept it from a directory. */
  verify(contact: Contact, candidate: ProposedCandidate): MatchResult;
}

/**
 * A provider searched far more people than any directory: its pick must be backed by more than
 * an agreeing common name (about 16 bits) before it clears the threshold. 2^-20 is the prior of
 * one person among a million equally likely ones.
 */
export const PROVIDER_PRIOR_LOG2_ODDS = -20;

/**
 * Verifies one provider candidate per row with the directory's scoring: comparison levels,
 * Jaro–Winkler, nicknames, field weights and the same threshold. With one candidate there is no
 * runner-up, so the margin holds trivially; the prior defaults to PROVIDER_PRIOR_LOG2_ODDS.
 */
export function createCandidateVerifier(
  options: MatchOptions,
  nicknames: NicknameTable,
): CandidateVerifier {
  const minScore = options.minScore ?? 0.8;
  const prior = options.priorLog2Odds ?? PROVIDER_PRIOR_LOG2_ODDS;
  const scoring: ScoringContext = {
    model: options.model ?? DEFAULT_MATCH_MODEL,
    nicknames,
    phonetic: createPhoneticEncoder(),
    // No population to count values in: exact agreement weighs by the model's prior frequency.
    directorySize: 1,
    frequency: () => 0,
  };
  return {
    verify(contact, candidate) {
      const best = scoreCandidate(contact, candidate.contact, scoring);
      const score = toProbability(best.weight + prior);
      if (score < minScore)
        return noMatch(
          `candidate scored ${score.toFixed(2)}, below ${minScore}: ${describeLevels(best)}`,
        );
      return {
        status: statusOf(best),
        entry: { id: candidate.id, contact: candidate.contact },
        score,
        reason: describeLevels(best),
        swapped: best.swapped,
        detail: best,
      };
    },
  };
}

function statusOf(score: CandidateScore): MatchStatus {
  if (score.swapped) return 'fuzzy';
  const { first_name: first, last_name: last } = score.levels;
  const lastExact = last === 'exact' || last === 'missing';
  if (first === 'nickname' && lastExact) return 'nickname';
  if ((first === 'exact' || first === 'missing') && lastExact) return 'exact';
  return 'fuzzy';
}

function describeLevels(score: CandidateScore): string {
  const parts: string[] = [];
  for (const field of COMPARED_FIELDS) {
    const level = score.levels[field];
    if (level !== 'missing') parts.push(`${field} ${level}`);
  }
  return (score.swapped ? 'names swapped; ' : '') + parts.join(', ');
}

function toProbability(log2Odds: number): number {
  return 1 / (1 + 2 ** -log2Odds);
}

function noMatch(reason: string): MatchResult {
  return { status: 'none', entry: undefined, score: 0, reason, swapped: false, detail: undefined };
}
