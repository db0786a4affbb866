import type { ContactQuery } from '@contacts/enrichment';
import { cacheKeyOf } from '@contacts/shared';

/**
 * The response cache key of a lookup (see cacheKeyOf): the same person asked twice (a duplicate
 * row, the same chunk again) is one key, and no contact data is stored in the key itself.
 * Emails and phones are sets: their order in the row does not matter.
 */
export function providerQueryKey(provider: string, query: ContactQuery): string {
  const set = (values: readonly string[]): string =>
    [...new Set(values.map((value) => value.trim().toLowerCase()).filter(Boolean))]
      .sort()
      .join(' ');
  return cacheKeyOf(provider, {
    fullName: query.name.full,
    firstName: query.name.first,
    middleName: query.name.middle,
    lastName: query.name.last,
    emails: set(query.emails),
    phones: set(query.phones),
    company: query.company,
    title: query.title,
    locality: query.locality,
    region: query.region,
    country: query.country,
    postalCode: query.postalCode,
  });
}
