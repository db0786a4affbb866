import { createHash } from 'node:crypto';

export interface CacheKeyOptions {
  /** Fields whose case matters to the provider; every other value is lowercased. */
  readonly caseSensitive?: readonly string[];
}

/**
 * The response-cache key of a provider query: the same for the same query however its fields
 * are ordered, spaced, cased (where the provider ignores case) or Unicode-composed, and a
 * SHA-256 digest, so no name, email or phone number sits in the key.
 */
export function cacheKeyOf(
  provider: string,
  normalizedQuery: Readonly<Record<string, string | undefined>>,
  options: CacheKeyOptions = {},
): string {
  const caseSensitive = new Set(options.caseSensitive ?? []);
  const fields: [string, string][] = [];
  for (const [rawName, rawValue] of Object.entries(normalizedQuery)) {
    if (rawValue === undefined) continue;
    const name = rawName.normalize('NFC').trim();
    let value = rawValue.normalize('NFC').trim().replace(/\s+/g, ' ');
    if (!caseSensitive.has(rawName) && !caseSensitive.has(name)) value = value.toLowerCase();
    // An empty field asks the provider nothing: the same query as without it.
    if (value !== '') fields.push([name, value]);
  }
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([provider, fields]))
    .digest('base64url');
}
