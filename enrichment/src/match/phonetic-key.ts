import { doubleMetaphone } from 'double-metaphone';

/**
 * Double Metaphone codes of a folded name key (primary, and secondary when it differs), memoized:
 * surnames repeat heavily, and the encoder is the costliest step of building blocking keys.
 */
export function createPhoneticEncoder(cacheSize = 200_000): (key: string) => readonly string[] {
  const cache = new Map<string, readonly string[]>();
  return (key: string): readonly string[] => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    let codes: readonly string[] = [];
    if (key !== '') {
      const [primary, secondary] = doubleMetaphone(key);
      codes =
        primary === ''
          ? []
          : secondary === '' || secondary === primary
            ? [primary]
            : [primary, secondary];
    }
    if (cache.size >= cacheSize) cache.clear();
    cache.set(key, codes);
    return codes;
  };
}
