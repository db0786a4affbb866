import { InvalidColumnMappingError, UnrecognizedColumnsError } from '../errors.ts';

/** Fields a single upload column can hold. Emails and phones may come from several columns. */
export type SingleField =
  | 'full_name'
  | 'first_name'
  | 'middle_name'
  | 'last_name'
  | 'prefix'
  | 'suffix'
  | 'nickname'
  | 'company'
  | 'title'
  | 'city'
  | 'updated_at'
  | 'street'
  | 'street2'
  | 'street_number'
  | 'postcode'
  | 'state'
  | 'country'
  | 'birth_date'
  | 'national_id';
export type MultiField = 'email' | 'phone';
export type MappableField = SingleField | MultiField;

/** Where each field lives in the upload: column indexes, by field. Unmapped columns pass through. */
export interface ColumnMapping {
  readonly single: Readonly<Partial<Record<SingleField, number>>>;
  readonly emails: readonly number[];
  readonly phones: readonly number[];
}

/**
 * A job option naming the header(s) for some fields, e.g. `{ "email": ["Mail", "Mail 2"],
 * "first_name": "Given" }`. Headers match case-insensitively. Named fields override recognition;
 * the remaining fields are still recognized from the other headers.
 */
export type ExplicitColumnMapping = Readonly<
  Partial<Record<MappableField, string | readonly string[]>>
>;

const SINGLE_FIELDS: readonly SingleField[] = [
  'full_name',
  'first_name',
  'middle_name',
  'last_name',
  'prefix',
  'suffix',
  'nickname',
  'company',
  'title',
  'city',
  'updated_at',
  'street',
  'street2',
  'street_number',
  'postcode',
  'state',
  'country',
  'birth_date',
  'national_id',
];

// Exact header names (compacted: lower case, letters and digits only) of Google Contacts (old and
// new), Outlook, Mailchimp, Apple/vCard-derived exports, plain and snake_case files.
const EXACT: Readonly<Record<string, SingleField | MultiField>> = {
  firstname: 'first_name',
  givenname: 'first_name',
  fname: 'first_name',
  first: 'first_name',
  forename: 'first_name',
  given: 'first_name',
  namefirst: 'first_name',
  prenom: 'first_name',
  vorname: 'first_name',
  nombre: 'first_name',
  lastname: 'last_name',
  familyname: 'last_name',
  surname: 'last_name',
  lname: 'last_name',
  last: 'last_name',
  namelast: 'last_name',
  nom: 'last_name',
  nachname: 'last_name',
  apellido: 'last_name',
  apellidos: 'last_name',
  middlename: 'middle_name',
  additionalname: 'middle_name',
  middle: 'middle_name',
  middleinitial: 'middle_name',
  othername: 'middle_name',
  fullname: 'full_name',
  name: 'full_name',
  displayname: 'full_name',
  contactname: 'full_name',
  contact: 'full_name',
  fn: 'full_name',
  formattedname: 'full_name',
  person: 'full_name',
  customername: 'full_name',
  membername: 'full_name',
  yourname: 'full_name',
  nameprefix: 'prefix',
  prefix: 'prefix',
  salutation: 'prefix',
  honorific: 'prefix',
  namesuffix: 'suffix',
  suffix: 'suffix',
  nickname: 'nickname',
  nick: 'nickname',
  preferredname: 'nickname',
  knownas: 'nickname',
  company: 'company',
  companyname: 'company',
  organization: 'company',
  organisation: 'company',
  organizationname: 'company',
  organization1name: 'company',
  org: 'company',
  employer: 'company',
  business: 'company',
  businessname: 'company',
  account: 'company',
  accountname: 'company',
  title: 'title',
  jobtitle: 'title',
  organizationtitle: 'title',
  organization1title: 'title',
  position: 'title',
  role: 'title',
  jobrole: 'title',
  designation: 'title',
  occupation: 'title',
  city: 'city',
  town: 'city',
  locality: 'city',
  homecity: 'city',
  businesscity: 'city',
  othercity: 'city',
  workcity: 'city',
  address1city: 'city',
  addresscity: 'city',
  updated: 'updated_at',
  updatedat: 'updated_at',
  lastmodified: 'updated_at',
  modified: 'updated_at',
  lastupdated: 'updated_at',
  modifiedat: 'updated_at',
  lastupdate: 'updated_at',
  datemodified: 'updated_at',
  lastchanged: 'updated_at',
  suburb: 'city',
  mailingcity: 'city',
  billingcity: 'city',
  street: 'street',
  streetaddress: 'street',
  streetaddress1: 'street',
  address: 'street',
  address1: 'street',
  addressline1: 'street',
  addr1: 'street',
  streetline1: 'street',
  line1: 'street',
  homestreet: 'street',
  businessstreet: 'street',
  otherstreet: 'street',
  homeaddress: 'street',
  businessaddress: 'street',
  workaddress: 'street',
  mailingstreet: 'street',
  mailingaddress: 'street',
  billingstreet: 'street',
  billingaddress: 'street',
  postaladdress: 'street',
  address1street: 'street',
  street2: 'street2',
  streetaddress2: 'street2',
  address2: 'street2',
  addressline2: 'street2',
  addr2: 'street2',
  streetline2: 'street2',
  line2: 'street2',
  homestreet2: 'street2',
  businessstreet2: 'street2',
  address1extendedaddress: 'street2',
  streetnumber: 'street_number',
  streetno: 'street_number',
  housenumber: 'street_number',
  houseno: 'street_number',
  hausnummer: 'street_number',
  zip: 'postcode',
  zipcode: 'postcode',
  zip5: 'postcode',
  postcode: 'postcode',
  postalcode: 'postcode',
  zippostalcode: 'postcode',
  postalcodezip: 'postcode',
  postcodezip: 'postcode',
  plz: 'postcode',
  codepostal: 'postcode',
  homepostalcode: 'postcode',
  businesspostalcode: 'postcode',
  otherpostalcode: 'postcode',
  address1postalcode: 'postcode',
  mailingzip: 'postcode',
  mailingpostalcode: 'postcode',
  billingpostalcode: 'postcode',
  state: 'state',
  region: 'state',
  province: 'state',
  stateprovince: 'state',
  stateregion: 'state',
  stateorprovince: 'state',
  county: 'state',
  territory: 'state',
  homestate: 'state',
  businessstate: 'state',
  otherstate: 'state',
  address1region: 'state',
  mailingstate: 'state',
  billingstate: 'state',
  bundesland: 'state',
  country: 'country',
  countryregion: 'country',
  countryname: 'country',
  countrycode: 'country',
  nation: 'country',
  homecountryregion: 'country',
  businesscountryregion: 'country',
  othercountryregion: 'country',
  address1country: 'country',
  mailingcountry: 'country',
  billingcountry: 'country',
  land: 'country',
  pays: 'country',
  birthday: 'birth_date',
  birthdate: 'birth_date',
  dateofbirth: 'birth_date',
  dob: 'birth_date',
  bday: 'birth_date',
  born: 'birth_date',
  geburtsdatum: 'birth_date',
  datedenaissance: 'birth_date',
  fechadenacimiento: 'birth_date',
  socsecid: 'national_id',
  ssn: 'national_id',
  socialsecuritynumber: 'national_id',
  socialsecurityno: 'national_id',
  nationalid: 'national_id',
  nationalidnumber: 'national_id',
  nino: 'national_id',
  ninumber: 'national_id',
  nationalinsurancenumber: 'national_id',
  email: 'email',
  mail: 'email',
  emailaddress: 'email',
  tel: 'phone',
  phone: 'phone',
};

// Descriptive columns that mention an email or phone without holding one.
const NOT_A_VALUE =
  /\b(type|label|kind|display|status|opt|optin|consent|subscribed|subscription|verified|bounced|format|permission|rating|count|country|code)\b/;

/**
 * Works out which columns hold names, emails, phones, company, title and city.
 * Throws UnrecognizedColumnsError (listing the headers it saw) when there is no name, email or
 * phone column, and InvalidColumnMappingError when an explicit mapping names a missing header.
 */
export function recognizeColumns(
  headers: readonly string[],
  explicit?: ExplicitColumnMapping,
): ColumnMapping {
  const single: Partial<Record<SingleField, number>> = {};
  const emails: number[] = [];
  const phones: number[] = [];
  const claimed = new Set<number>();

  if (explicit) applyExplicit(headers, explicit, single, emails, phones, claimed);
  const explicitFields = new Set(Object.keys(explicit ?? {}));
  const words = headers.map(headerWords);
  const compact = words.map((w) => w.replace(/ /g, ''));
  // Outlook writes the honorific under "Title" and the job under "Job Title".
  const titleIsPrefix = compact.includes('jobtitle') && compact.includes('title');

  const claimSingle = (field: SingleField, index: number): void => {
    if (explicitFields.has(field) || single[field] !== undefined || claimed.has(index)) return;
    single[field] = index;
    claimed.add(index);
  };
  const claimMulti = (field: MultiField, index: number): void => {
    if (explicitFields.has(field) || claimed.has(index)) return;
    (field === 'email' ? emails : phones).push(index);
    claimed.add(index);
  };

  // Pass 1: exact names, so "Job Title" wins over a looser match elsewhere.
  for (let i = 0; i < headers.length; i++) {
    const key = compact[i] ?? '';
    const field = key === 'title' && titleIsPrefix ? 'prefix' : EXACT[key];
    if (field === 'email' || field === 'phone') claimMulti(field, i);
    else if (field !== undefined) claimSingle(field, i);
  }
  // Pass 2: descriptive headers ("E-mail 2 Address", "Phone 1 - Value", "Home City", "City (home)").
  for (let i = 0; i < headers.length; i++) {
    if (claimed.has(i)) continue;
    const w = ` ${words[i] ?? ''} `;
    const place = placeField(w);
    if (place !== undefined) {
      claimSingle(place, i);
      continue;
    }
    if (NOT_A_VALUE.test(w)) continue;
    if (/ e ?mail | email\d| mail \d/.test(w)) claimMulti('email', i);
    else if (
      / (phone|telephone|tel|mobile|cell|cellphone|mobilephone|phonenumber|phone\d|tel\d)\b/.test(
        w,
      ) &&
      !/ (fax|pager) /.test(w)
    ) {
      claimMulti('phone', i);
    } else if (/ city /.test(w)) claimSingle('city', i);
    else if (/ (job title|title)\b/.test(w) && !/ name /.test(w)) claimSingle('title', i);
    else if (
      / (company|organization|organisation|employer)\b/.test(w) &&
      !/ (department|phone|address|location|title) /.test(w)
    ) {
      claimSingle('company', i);
    } else if (/ (first|given) name /.test(w)) claimSingle('first_name', i);
    else if (/ (last|family|sur) ?name /.test(w)) claimSingle('last_name', i);
    else if (/ (full|display|contact) name /.test(w)) claimSingle('full_name', i);
  }

  const hasName =
    single.full_name !== undefined ||
    single.first_name !== undefined ||
    single.last_name !== undefined;
  if (!hasName && emails.length === 0 && phones.length === 0) {
    throw new UnrecognizedColumnsError(headers);
  }
  return { single, emails, phones };
}

/**
 * Address and birth-date fields of a descriptive header ("Business Street 2", "Home Postal Code",
 * "Business Country/Region", "Address 1 - Region", "Date of Birth"). Checked before the
 * not-a-value filter, which would drop "Postal Code" and "Country" for their "code"/"country".
 */
function placeField(w: string): SingleField | undefined {
  if (
    / (e ?mail|mail|phone|telephone|tel|mobile|fax|web|website|url|ip|formatted|type|label) /.test(
      w,
    )
  )
    return undefined;
  // Google's "Address 2 - Street": a second address, not a second line of the first.
  if (/ address [2-9] [a-z]/.test(w)) return undefined;
  if (/ (birth ?day|birth ?date|date of birth|dob|born) /.test(w)) return 'birth_date';
  if (/ (postal ?code|post ?code|zip( ?code)?|postal) /.test(w)) return 'postcode';
  if (/ country /.test(w)) return 'country';
  if (/ (state|province|region) /.test(w)) return 'state';
  if (/ (house|street) (number|no) /.test(w)) return 'street_number';
  if (/ (street|address|address line|line) [2-9] /.test(w)) return 'street2';
  if (/ (street|address)( line)? (1 )?/.test(w) && !/ (city|name) /.test(w)) return 'street';
  return undefined;
}

function applyExplicit(
  headers: readonly string[],
  explicit: ExplicitColumnMapping,
  single: Partial<Record<SingleField, number>>,
  emails: number[],
  phones: number[],
  claimed: Set<number>,
): void {
  const byName = new Map<string, number>();
  headers.forEach((h, i) => {
    const key = h.trim().toLowerCase();
    if (!byName.has(key)) byName.set(key, i);
  });
  for (const [field, value] of Object.entries(explicit) as [
    string,
    string | readonly string[] | undefined,
  ][]) {
    if (value === undefined) continue;
    const names = typeof value === 'string' ? [value] : value;
    const indexes = names.map((name) => {
      const index = byName.get(name.trim().toLowerCase());
      if (index === undefined) {
        throw new InvalidColumnMappingError(
          `column mapping for "${field}" names header "${name}", which the file does not have; headers: ${headers.map((h) => JSON.stringify(h)).join(', ')}`,
        );
      }
      return index;
    });
    if (field === 'email' || field === 'phone') {
      (field === 'email' ? emails : phones).push(...indexes);
    } else if ((SINGLE_FIELDS as readonly string[]).includes(field)) {
      const [index] = indexes;
      if (indexes.length !== 1 || index === undefined) {
        throw new InvalidColumnMappingError(
          `column mapping for "${field}" must name exactly one header`,
        );
      }
      single[field as SingleField] = index;
    } else {
      throw new InvalidColumnMappingError(
        `column mapping names unknown field "${field}"; known fields: ${[...SINGLE_FIELDS, 'email', 'phone'].join(', ')}`,
      );
    }
    for (const i of indexes) claimed.add(i);
  }
}

/** Lower-case words of a header: "E-mail 1 - Value" → "e mail 1 value", "firstName" → "first name". */
function headerWords(header: string): string {
  return header
    .replace(/;\s*type\s*=.*$/i, '') // vCard-style "EMAIL;TYPE=INTERNET"
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
