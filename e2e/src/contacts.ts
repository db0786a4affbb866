/** Deterministic contact files for tests and benchmarks (a seeded PRNG, no fixtures on disk). */

import { mulberry32 } from '@contacts/shared';

const FIRST = [
  'Ann',
  'Bob',
  'Chloé',
  'Dmitri',
  'Émile',
  'Fatima',
  'Günter',
  'Hiroshi',
  'Ines',
  'José',
];
const LAST = [
  'Smith',
  "O'Brien",
  'van der Berg',
  'Nguyễn',
  'Müller',
  'García',
  'Kowalski',
  'Okafor',
];

export const CONTACT_HEADER = ['First Name', 'Last Name', 'Email', 'Phone', 'Company', 'Notes'];

/** Reproducible test data: the project's one seeded generator (mulberry32). */
export const seededRandom = mulberry32;

/**
 * Row `n` of a contact file. With `tricky`, some values hold commas, quotes and newlines, so
 * record boundaries are only found by respecting quotes. Each row carries its number in Notes.
 */
export function contactRow(n: number, random: () => number, tricky: boolean): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const first = pick(FIRST);
  const last = pick(LAST);
  const company = tricky && n % 7 === 0 ? `Acme, Inc. "West"` : `Company ${n % 97}`;
  const notes = tricky && n % 5 === 0 ? `row ${n}\nsecond line, with comma` : `row ${n}`;
  return [first, last, `${first}.${n}@example.com`.toLowerCase(), usPhone(n), company, notes];
}

const AREA_CODES = ['212', '310', '415', '617', '206', '312', '512', '303', '404', '702'];

/**
 * A valid US number unique to row `n` (up to 80 million rows), written the way people do.
 * Valid matters: real contact books hold mostly valid numbers, and invalid ones take the
 * phone parser's slow path, which would make benchmarks unrepresentative.
 */
export function usPhone(n: number): string {
  const line = String(n % 10_000).padStart(4, '0');
  const exchange = 200 + (Math.floor(n / 10_000) % 800);
  const area = AREA_CODES[Math.floor(n / 8_000_000) % AREA_CODES.length]!;
  return `+1 ${area} ${exchange} ${line}`;
}

/** Quotes a field when it must be (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(values: readonly string[], eol = '\n'): string {
  return values.map(csvField).join(',') + eol;
}

/** A whole contact file as a string (for small and medium files). */
export function contactFile(
  rows: number,
  options: { seed?: number; tricky?: boolean; eol?: string } = {},
): string {
  const random = seededRandom(options.seed ?? 42);
  const lines = [csvLine(CONTACT_HEADER, options.eol)];
  for (let n = 1; n <= rows; n++)
    lines.push(csvLine(contactRow(n, random, options.tricky ?? true), options.eol));
  return lines.join('');
}
