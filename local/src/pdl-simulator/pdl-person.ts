/**
 * The part of PDL's v5 person schema the simulator serves. Values are kept in display case;
 * responses are lower-cased as PDL's are, unless the request asks for `titlecase`.
 */
export interface PdlEmail {
  readonly address: string;
  readonly type: 'current_professional' | 'professional' | 'personal' | null;
}

export interface PdlPerson {
  readonly id: string;
  readonly full_name: string;
  readonly first_name: string;
  readonly middle_name: string | null;
  readonly last_name: string;
  readonly linkedin_url: string | null;
  readonly linkedin_username: string | null;
  readonly work_email: string | null;
  readonly personal_emails: readonly string[];
  readonly emails: readonly PdlEmail[];
  readonly mobile_phone: string | null;
  readonly phone_numbers: readonly string[];
  readonly job_title: string | null;
  readonly job_company_name: string | null;
  readonly job_company_website: string | null;
  /** YYYY-MM-DD: when the person's job last changed (the "newer" signal for job fields). */
  readonly job_last_changed: string | null;
  readonly job_last_verified: string | null;
  readonly location_name: string | null;
  readonly location_locality: string | null;
  readonly location_region: string | null;
  readonly location_country: string | null;
  readonly location_last_updated: string | null;
}

/** The person as the wire shows it: PDL lower-cases text fields unless `titlecase` is set. */
export function personForWire(person: PdlPerson, titlecase: boolean): PdlPerson {
  if (titlecase) return person;
  const lower = (value: string | null): string | null => value?.toLowerCase() ?? null;
  return {
    ...person,
    full_name: person.full_name.toLowerCase(),
    first_name: person.first_name.toLowerCase(),
    middle_name: lower(person.middle_name),
    last_name: person.last_name.toLowerCase(),
    job_title: lower(person.job_title),
    job_company_name: lower(person.job_company_name),
    location_name: lower(person.location_name),
    location_locality: lower(person.location_locality),
    location_region: lower(person.location_region),
    location_country: lower(person.location_country),
  };
}
