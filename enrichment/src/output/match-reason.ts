import type { MatchResult } from '../match/match-contact.ts';

/**
 * `match_reason` and `match_score` in plain words and one number format. The engine's reasons
 * are terse (`first_name jw92, email exact`, `best of 3 candidate(s) scored 0.41, below 0.8`);
 * these say the same for a person reading the output file. They never contain row data.
 */

/** Every score in the output: 0.00–1.00, two decimals. */
export function formatScore(score: number): string {
  return (Math.round(Math.min(1, Math.max(0, score)) * 100) / 100).toFixed(2);
}

/** The reason of a row matched (or looked at) field by field. */
export function describeAgreement(
  levels: Readonly<Record<string, string>>,
  swapped: boolean,
): string {
  const same: string[] = [];
  const parts: string[] = [];
  for (const [field, level] of Object.entries(levels)) {
    const name = fieldName(field);
    switch (level) {
      case 'missing':
        break;
      case 'exact':
        same.push(name);
        break;
      case 'nickname':
        parts.push(`${name} is a known nickname`);
        break;
      case 'initial':
        parts.push(`${name} given as an initial`);
        break;
      case 'jw92':
      case 'jw88':
        parts.push(`${name} spelled slightly differently`);
        break;
      case 'phonetic':
        parts.push(`${name} sounds the same`);
        break;
      case 'jw80':
        parts.push(`${name} spelled differently`);
        break;
      case 'similar':
        parts.push(`similar ${name}`);
        break;
      case 'different':
        parts.push(`different ${name}`);
        break;
      default:
        parts.push(`${name}: ${level}`);
    }
  }
  const all = [
    ...(swapped ? ['first and last name swapped'] : []),
    ...(same.length > 0 ? [`same ${joinWords(same)}`] : []),
    ...parts,
  ];
  return all.join('; ');
}

/** The reason of a match the engine accepted. */
export function describeMatch(match: MatchResult): string {
  if (match.detail === undefined) return plainEngineReason(match.reason);
  return describeAgreement(match.detail.levels, match.detail.swapped);
}

/**
 * The engine's reason for no match, in plain words. Unknown reasons pass through unchanged, so
 * a new engine reason is never lost, only less polished.
 */
export function plainEngineReason(reason: string): string {
  if (reason === '') return reason;
  if (/^no directory entry shares a blocking key/.test(reason))
    return 'no directory entry close enough to compare: none shares a name, email or phone';
  const below = /^best of (\d+) candidate\(s\) scored ([\d.]+), below ([\d.]+)/.exec(reason);
  if (below) {
    const [, count, score, needed] = below;
    return `closest of ${count} directory ${count === '1' ? 'entry' : 'entries'} scored ${formatScore(Number(score))}; ${formatScore(Number(needed))} needed`;
  }
  if (/^ambiguous:/.test(reason))
    return 'two directory entries fit almost equally well; neither was picked';
  const candidate = /^candidate scored ([\d.]+), below ([\d.]+): ?(.*)$/.exec(reason);
  if (candidate) {
    const [, score, needed, levels] = candidate;
    const agreement = describeAgreement(
      parseLevels(levels ?? ''),
      /names swapped/.test(levels ?? ''),
    );
    return `scored ${formatScore(Number(score))}; ${formatScore(Number(needed))} needed${agreement === '' ? '' : ` (${agreement})`}`;
  }
  return reason;
}

/** `names swapped; first_name exact, email different` → levels by field. */
function parseLevels(text: string): Record<string, string> {
  const levels: Record<string, string> = {};
  for (const pair of text.replace(/^names swapped; /, '').split(', ')) {
    const [field, level] = pair.split(' ');
    if (field !== undefined && level !== undefined) levels[field] = level;
  }
  return levels;
}

function fieldName(field: string): string {
  return field.replace(/_/g, ' ');
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}
