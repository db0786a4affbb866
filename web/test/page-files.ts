import { contactRow, csvLine, CONTACT_HEADER, seededRandom } from '@contacts/e2e';

/**
 * A contact file whose every third row is known to a directory (same person, a newer company
 * on some), plus rows with the wrong number of fields, which the service rejects.
 */
export function pageFiles(
  rows: number,
  options: { ragged?: number } = {},
): { contacts: string; directory: string } {
  const random = seededRandom(7);
  const people = Array.from({ length: rows }, (_, i) => contactRow(i + 1, random, true));
  const contacts = [
    csvLine(CONTACT_HEADER),
    ...people.map((row) => csvLine(row)),
    ...Array.from({ length: options.ragged ?? 0 }, (_, i) => `Ragged ${i},row\n`),
  ].join('');
  const directory = [
    csvLine([
      'id',
      'first_name',
      'last_name',
      'email',
      'phone',
      'company',
      'title',
      'city',
      'updated_at',
    ]),
    ...people
      .map((row, i) => ({ row, n: i + 1 }))
      .filter(({ n }) => n % 3 === 0)
      .map(({ row, n }) => {
        const [first = '', last = '', email = '', phone = '', company = ''] = row;
        const newer = n % 2 === 0 ? `${company} Group` : company;
        return csvLine([
          `crm-${n}`,
          first,
          last,
          email,
          phone,
          newer,
          'Engineer',
          'Boston',
          '2026-10-01',
        ]);
      }),
  ].join('');
  return { contacts, directory };
}
