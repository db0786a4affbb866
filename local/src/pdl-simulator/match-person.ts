import { createPhoneStandardizer, foldKey, type PhoneStandardizer } from '@contacts/enrichment';
import type { PdlPerson } from './pdl-person.ts';
import { evaluateRequired } from './required-expression.ts';
import { profileKey, type SyntheticWorld } from './synthetic-world.ts';

/** One enrichment's parameters, as PDL's Person Enrichment API takes them. */
export interface EnrichParams {
  readonly pdl_id?: string | undefined;
  readonly name?: string | undefined;
  readonly first_name?: string | undefined;
  readonly last_name?: string | undefined;
  readonly email?: string | readonly string[] | undefined;
  readonly phone?: string | readonly string[] | undefined;
  readonly profile?: string | readonly string[] | undefined;
  readonly email_hash?: string | undefined;
  readonly lid?: string | undefined;
  readonly company?: string | undefined;
  readonly school?: string | undefined;
  readonly location?: string | undefined;
  readonly street_address?: string | undefined;
  readonly locality?: string | undefined;
  readonly region?: string | undefined;
  readonly country?: string | undefined;
  readonly postal_code?: string | undefined;
  readonly birth_date?: string | undefined;
  readonly min_likelihood?: number | undefined;
  readonly required?: string | undefined;
}

export type MatchOutcome =
  | { readonly kind: 'match'; readonly person: PdlPerson; readonly likelihood: number }
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly message: string };

/** PDL's documented default: a likelihood of 1 is not a match unless asked for. */
export const DEFAULT_MIN_LIKELIHOOD = 2;

const COUNTRY_REGIONS: Readonly<Record<string, string>> = {
  unitedstates: 'US',
  usa: 'US',
  unitedkingdom: 'GB',
  uk: 'GB',
  spain: 'ES',
  netherlands: 'NL',
  germany: 'DE',
  vietnam: 'VN',
  france: 'FR',
};

/** Finds the one person a request describes, the way PDL's enrichment does, in miniature. */
export function createPersonMatcher(world: SyntheticWorld): (params: EnrichParams) => MatchOutcome {
  const standardizers = new Map<string, PhoneStandardizer>();
  function e164(raw: string, country: string | undefined): string | undefined {
    const region = phoneRegion(country);
    let standardize = standardizers.get(region);
    if (!standardize) {
      // A country the phone library does not know reads numbers as US ones, as a default.
      const known = isSupportedRegion(region) ? region : 'US';
      standardize = standardizers.get(known) ?? createPhoneStandardizer({ defaultRegion: known });
      standardizers.set(region, standardize);
    }
    return standardize(raw)?.e164;
  }

  return (params) => {
    const insufficient = sufficiencyProblem(params);
    if (insufficient) return { kind: 'invalid', message: insufficient };
    const minLikelihood = params.min_likelihood ?? DEFAULT_MIN_LIKELIHOOD;

    let best: { person: PdlPerson; likelihood: number } | undefined;
    if (params.pdl_id !== undefined) {
      // PDL: an id wins outright; every other input is ignored.
      const person = world.byId(params.pdl_id);
      if (person) best = { person, likelihood: 10 };
    } else {
      const emails = list(params.email).map((e) => e.trim().toLowerCase());
      const phones = list(params.phone).flatMap((p) => e164(p, params.country) ?? []);
      const profiles = list(params.profile);
      const name = requestedName(params);
      const candidates = new Set<PdlPerson>();
      for (const email of emails) addIf(candidates, world.byEmail(email));
      for (const phone of phones) addIf(candidates, world.byPhone(phone));
      for (const profile of profiles) addIf(candidates, world.byProfile(profile));
      if (name) for (const person of world.byName(name.first, name.last)) candidates.add(person);

      const scored = [...candidates].map((person) => ({
        person,
        likelihood: likelihoodOf(person, { emails, phones, profiles, name, params }),
      }));
      scored.sort((a, b) => b.likelihood - a.likelihood);
      const [top, second] = scored;
      if (top && top.likelihood > 0) {
        // Two namesakes that fit equally well: PDL is less sure which one you meant.
        const tied = second !== undefined && second.likelihood === top.likelihood;
        best = { person: top.person, likelihood: Math.max(1, top.likelihood - (tied ? 1 : 0)) };
      }
    }
    if (!best || best.likelihood < minLikelihood) return { kind: 'none' };
    if (params.required !== undefined) {
      const required = evaluateRequired(params.required, best.person);
      if (required.kind === 'invalid') return required;
      if (!required.satisfied) return { kind: 'none' };
    }
    return { kind: 'match', ...best };
  };
}

interface RequestFacts {
  readonly emails: readonly string[];
  readonly phones: readonly string[];
  readonly profiles: readonly string[];
  readonly name: { readonly first: string; readonly last: string } | undefined;
  readonly params: EnrichParams;
}

/**
 * 1–10 by how many identifiers agree: an email, phone or profile alone is a good match (6), each
 * further one adds two, and name, employer and place add one each. Name and employer or place
 * without any of those is a weak match (3–4); anything less is no match (0).
 */
function likelihoodOf(person: PdlPerson, facts: RequestFacts): number {
  const personEmails = new Set(person.emails.map((e) => e.address.toLowerCase()));
  const strong =
    (facts.emails.some((e) => personEmails.has(e)) ? 1 : 0) +
    (facts.phones.some((p) => person.phone_numbers.includes(p)) ? 1 : 0) +
    (person.linkedin_url && facts.profiles.some((p) => sameProfile(p, person.linkedin_url ?? ''))
      ? 1
      : 0);
  const name =
    facts.name !== undefined &&
    foldKey(facts.name.first) === foldKey(person.first_name) &&
    foldKey(facts.name.last) === foldKey(person.last_name)
      ? 1
      : 0;
  const company = sameText(facts.params.company, person.job_company_name) ? 1 : 0;
  const place = placeAgrees(facts.params, person) ? 1 : 0;
  if (strong > 0) return Math.min(10, 6 + 2 * (strong - 1) + name + company + place);
  if (name === 1 && company + place > 0) return 2 + company + place;
  return 0;
}

function placeAgrees(params: EnrichParams, person: PdlPerson): boolean {
  if (sameText(params.locality, person.location_locality)) return true;
  if (params.location !== undefined && person.location_locality !== null) {
    const locality = foldKey(person.location_locality);
    if (locality !== '' && foldKey(params.location).includes(locality)) return true;
  }
  return false;
}

/** Folded equality, with one containing the other ("Globex" and "Globex, Ltd.") good enough. */
function sameText(requested: string | undefined, known: string | null): boolean {
  if (requested === undefined || known === null) return false;
  const a = foldKey(requested);
  const b = foldKey(known);
  return a !== '' && b !== '' && (a === b || a.startsWith(b) || b.startsWith(a));
}

function sameProfile(a: string, b: string): boolean {
  return profileKey(a) === profileKey(b);
}

function requestedName(params: EnrichParams): { first: string; last: string } | undefined {
  if (params.first_name !== undefined && params.last_name !== undefined)
    return { first: params.first_name, last: params.last_name };
  if (params.name === undefined) return undefined;
  const words = params.name.trim().split(/\s+/);
  const first = words[0];
  const last = words.length > 1 ? words.at(-1) : undefined;
  return first !== undefined && last !== undefined ? { first, last } : undefined;
}

/** PDL's minimum inputs: one identifier, or a name plus something that places the person. */
function sufficiencyProblem(params: EnrichParams): string | undefined {
  const has = (value: unknown): boolean =>
    typeof value === 'string' ? value.trim() !== '' : Array.isArray(value) && value.length > 0;
  if ([params.profile, params.email, params.phone, params.email_hash, params.lid].some(has))
    return undefined;
  if (has(params.pdl_id)) return undefined;
  const named = (has(params.first_name) && has(params.last_name)) || has(params.name);
  const placed = [
    params.company,
    params.school,
    params.location,
    params.street_address,
    params.locality,
    params.region,
    params.country,
    params.postal_code,
    params.birth_date,
  ].some(has);
  if (named && placed) return undefined;
  return 'Request must contain at least one of: profile, email, phone, email_hash, lid, pdl_id, or a name with a company, school or location';
}

/** The standardizer refuses regions the phone library lacks; that refusal is the answer here. */
function isSupportedRegion(region: string): boolean {
  try {
    createPhoneStandardizer({ defaultRegion: region, cacheSize: 1 });
    return true;
  } catch {
    return false;
  }
}

function phoneRegion(country: string | undefined): string {
  if (country === undefined) return 'US';
  const trimmed = country.trim();
  if (/^[a-z]{2}$/i.test(trimmed)) return trimmed.toUpperCase();
  return COUNTRY_REGIONS[foldKey(trimmed)] ?? 'US';
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return (typeof value === 'string' ? [value] : value).filter((v) => v.trim() !== '');
}

function addIf(set: Set<PdlPerson>, person: PdlPerson | undefined): void {
  if (person) set.add(person);
}
