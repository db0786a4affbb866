import type { PdlPerson } from '@contacts/local';
import { csvLine, seededRandom } from '../contacts.ts';

/** Every row carries its own id here, so a result can be checked row by row. */
export const WORLD_ROW_ID = 'Row Id';
export const WORLD_CONTACT_HEADER = ['First Name', 'Last Name', 'Email', 'Company', 'City'];

export interface WorldContactsOptions {
  /** The simulator's people to draw from (its synthetic world, sample people left out). */
  readonly people: readonly PdlPerson[];
  /** The first person this file uses: files with disjoint ranges share nobody. */
  readonly firstPerson: number;
  readonly rows: number;
  /** Share of rows that repeat an earlier row's person (with the email in capitals). */
  readonly duplicateShare: number;
  /**
   * Duplicates repeat a person of the same block of this many rows (a chunk's rows, so the
   * chunk asks once); absent: any earlier row's.
   */
  readonly duplicateBlockRows?: number;
  /** Share of rows naming someone the provider does not know (a free no-match). */
  readonly strangerShare: number;
  readonly seed: number;
  /** Prefix of the row ids (`a-1`, `a-2`…), unique per file. */
  readonly idPrefix: string;
}

export interface WorldContactFile {
  readonly csv: string;
  readonly ids: readonly string[];
  /** Distinct people of the provider's world the file names. */
  readonly people: number;
  /** Rows repeating an earlier row's person. */
  readonly duplicates: number;
}

/**
 * A contact file about people of the PDL simulator's world, so most rows match at the provider:
 * name, work email, company and city per row, some duplicate contacts and some strangers.
 */
export function worldContacts(options: WorldContactsOptions): WorldContactFile {
  const random = seededRandom(options.seed);
  const lines = [csvLine([...WORLD_CONTACT_HEADER, WORLD_ROW_ID])];
  const ids: string[] = [];
  const used: PdlPerson[] = [];
  /** Per block of duplicateBlockRows: how many people were used before it. */
  const blockStart = new Map<number, number>();
  let next = options.firstPerson;
  let strangers = 0;
  for (let n = 1; n <= options.rows; n++) {
    const id = `${options.idPrefix}-${n}`;
    ids.push(id);
    const draw = random();
    if (draw < options.strangerShare) {
      strangers++;
      lines.push(csvLine([`Zyx${id}`, `Qorvath${n}`, `zq.${id}@nowhere.test`, '', '', id]));
      continue;
    }
    const block = options.duplicateBlockRows;
    const since =
      block === undefined ? 0 : (blockStart.get(Math.floor((n - 1) / block)) ?? used.length);
    if (block !== undefined) blockStart.set(Math.floor((n - 1) / block), since);
    const repeat = draw < options.strangerShare + options.duplicateShare && used.length > since;
    const person = repeat
      ? used[since + Math.floor(random() * (used.length - since))]
      : options.people[next++];
    if (person === undefined)
      throw new RangeError(`the world has too few people for ${options.rows} rows`);
    if (!repeat) used.push(person);
    const email = person.work_email ?? person.emails[0]?.address ?? '';
    lines.push(
      csvLine([
        person.first_name,
        person.last_name,
        repeat ? email.toUpperCase() : email,
        person.job_company_name ?? '',
        person.location_locality ?? '',
        id,
      ]),
    );
  }
  return {
    csv: lines.join(''),
    ids,
    people: used.length,
    duplicates: ids.length - used.length - strangers,
  };
}
