import { createHash } from 'node:crypto';
import type { NicknamePairLike } from '@contacts/shared';

/** Hex digits of the fingerprint kept in artifact keys: 64 bits tell nickname tables apart. */
const FINGERPRINT_HEX_DIGITS = 16;

/**
 * A fingerprint of a nickname table (sha256 of its pairs, folded and sorted, so the order the
 * store returns them in does not matter). An index's blocks depend on the nickname table they
 * were filed with, so its artifact key carries this: a changed table names a new artifact.
 */
export function nicknameFingerprint(pairs: Iterable<NicknamePairLike>): string {
  const lines = [...pairs]
    .map((pair) => `${pair.name.trim().toLowerCase()}\t${pair.nickname.trim().toLowerCase()}`)
    .sort();
  const unique = lines.filter((line, i) => i === 0 || line !== lines[i - 1]);
  return createHash('sha256')
    .update(unique.join('\n'))
    .digest('hex')
    .slice(0, FINGERPRINT_HEX_DIGITS);
}
