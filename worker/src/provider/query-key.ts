import { createHash } from 'node:crypto';
import type { ContactQuery } from '@contacts/enrichment';

/**
 * The response cache key of a lookup: a SHA-256 of the provider and the query with its values
 * trimmed, lower-cased and lists sorted, so the same person asked twice (a duplicate row, the
 * same chunk again) is one key, and no contact data is stored in the key itself.
 */
export function providerQueryKey(provider: string, query: ContactQuery): string {
  const text = (value: string | undefined): string => value?.trim().toLowerCase() ?? '';
  const list = (values: readonly string[]): string[] =>
    [...new Set(values.map(text).filter(Boolean))].sort();
  const normalized = [
    provider,
    text(query.name.full),
    text(query.name.first),
    text(query.name.middle),
    text(query.name.last),
    list(query.emails),
    list(query.phones),
    text(query.company),
    text(query.title),
    text(query.locality),
    text(query.region),
    text(query.country),
    text(query.postalCode),
  ];
  return createHash('sha256').update(JSON.stringify(normalized)).digest('base64url');
}
