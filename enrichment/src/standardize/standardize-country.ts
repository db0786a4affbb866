import { cleanText, foldKey } from './normalize-text.ts';

/**
 * Country names, ISO alpha-2 and common alpha-3 codes and colloquial names → ISO 3166 alpha-2.
 * English names come from Intl.DisplayNames (built on first use, not at import); the aliases
 * below cover what contact exports write that the ICU names do not.
 */
const ALIASES: Readonly<Record<string, string>> = {
  usa: 'US',
  us: 'US',
  unitedstatesofamerica: 'US',
  america: 'US',
  uk: 'GB',
  gbr: 'GB',
  greatbritain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  northernireland: 'GB',
  britain: 'GB',
  deu: 'DE',
  deutschland: 'DE',
  fra: 'FR',
  nld: 'NL',
  holland: 'NL',
  nederland: 'NL',
  thenetherlands: 'NL',
  can: 'CA',
  aus: 'AU',
  nzl: 'NZ',
  irl: 'IE',
  esp: 'ES',
  espana: 'ES',
  ita: 'IT',
  italia: 'IT',
  bel: 'BE',
  belgique: 'BE',
  belgie: 'BE',
  che: 'CH',
  schweiz: 'CH',
  suisse: 'CH',
  aut: 'AT',
  osterreich: 'AT',
  swe: 'SE',
  sverige: 'SE',
  nor: 'NO',
  norge: 'NO',
  dnk: 'DK',
  danmark: 'DK',
  fin: 'FI',
  suomi: 'FI',
  pol: 'PL',
  polska: 'PL',
  prt: 'PT',
  bra: 'BR',
  brasil: 'BR',
  mex: 'MX',
  mexico: 'MX',
  ind: 'IN',
  chn: 'CN',
  jpn: 'JP',
  nippon: 'JP',
  kor: 'KR',
  southkorea: 'KR',
  zaf: 'ZA',
  russia: 'RU',
  rus: 'RU',
  czechia: 'CZ',
  czechrepublic: 'CZ',
  uae: 'AE',
};

let names: Map<string, string> | undefined;

function countryNames(): Map<string, string> {
  if (names !== undefined) return names;
  const built = new Map<string, string>();
  const display = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      let name: string | undefined;
      try {
        name = display.of(code);
      } catch {
        name = undefined;
      }
      if (name === undefined || name === code) continue;
      built.set(code.toLowerCase(), code);
      // First code wins: "France" is FR, not the retired FX ("Metropolitan France" aside).
      const add = (text: string): void => {
        const key = foldKey(text);
        if (!built.has(key)) built.set(key, code);
      };
      add(name);
      // "Korea, Republic of"-style and "(the)" variants fold to the name before the comma.
      const short = name.split(/[,(]/)[0];
      if (short !== undefined && short !== name) add(short);
    }
  }
  for (const [alias, code] of Object.entries(ALIASES)) built.set(alias, code);
  names = built;
  return built;
}

/** ISO 3166 alpha-2 code of a country name or code ("Deutschland", "GBR", "u.s.a." → "DE", "GB", "US"). */
export function countryCode(raw: string): string | undefined {
  const key = foldKey(raw);
  if (key === '') return undefined;
  return countryNames().get(key);
}

export interface StandardCountry {
  /** ISO alpha-2 when recognized, else the cleaned text. */
  readonly text: string;
  /** ISO alpha-2 when recognized, else the folded text. */
  readonly key: string;
}

export function standardizeCountry(raw: string): StandardCountry {
  const code = countryCode(raw);
  if (code !== undefined) return { text: code, key: code };
  const text = cleanText(raw);
  return { text, key: foldKey(text) };
}

// States, provinces and territories whose names are often written out: US, Canada, Australia.
const REGION_CODES: Readonly<Record<string, string>> = {
  alabama: 'AL',
  alaska: 'AK',
  arizona: 'AZ',
  arkansas: 'AR',
  california: 'CA',
  colorado: 'CO',
  connecticut: 'CT',
  delaware: 'DE',
  districtofcolumbia: 'DC',
  florida: 'FL',
  georgia: 'GA',
  hawaii: 'HI',
  idaho: 'ID',
  illinois: 'IL',
  indiana: 'IN',
  iowa: 'IA',
  kansas: 'KS',
  kentucky: 'KY',
  louisiana: 'LA',
  maine: 'ME',
  maryland: 'MD',
  massachusetts: 'MA',
  michigan: 'MI',
  minnesota: 'MN',
  mississippi: 'MS',
  missouri: 'MO',
  montana: 'MT',
  nebraska: 'NE',
  nevada: 'NV',
  newhampshire: 'NH',
  newjersey: 'NJ',
  newmexico: 'NM',
  newyork: 'NY',
  northcarolina: 'NC',
  northdakota: 'ND',
  ohio: 'OH',
  oklahoma: 'OK',
  oregon: 'OR',
  pennsylvania: 'PA',
  rhodeisland: 'RI',
  southcarolina: 'SC',
  southdakota: 'SD',
  tennessee: 'TN',
  texas: 'TX',
  utah: 'UT',
  vermont: 'VT',
  virginia: 'VA',
  washington: 'WA',
  westvirginia: 'WV',
  wisconsin: 'WI',
  wyoming: 'WY',
  alberta: 'AB',
  britishcolumbia: 'BC',
  manitoba: 'MB',
  newbrunswick: 'NB',
  newfoundlandandlabrador: 'NL',
  novascotia: 'NS',
  ontario: 'ON',
  princeedwardisland: 'PE',
  quebec: 'QC',
  saskatchewan: 'SK',
  newsouthwales: 'NSW',
  victoria: 'VIC',
  queensland: 'QLD',
  southaustralia: 'SA',
  westernaustralia: 'WA',
  tasmania: 'TAS',
  northernterritory: 'NT',
  australiancapitalterritory: 'ACT',
};

export interface StandardRegion {
  readonly text: string;
  readonly key: string;
}

/**
 * State or region: a written-out US/Canadian/Australian name becomes its postal code
 * ("New South Wales" → "NSW"), a short code is upper-cased, anything else is kept as written.
 * The key is the folded code or name.
 */
export function standardizeRegion(raw: string): StandardRegion {
  const text = cleanText(raw);
  if (text === '') return { text: '', key: '' };
  const folded = foldKey(text);
  const code = REGION_CODES[folded];
  if (code !== undefined) return { text: code, key: code.toLowerCase() };
  if (/^[A-Za-z]{2,3}$/.test(text)) return { text: text.toUpperCase(), key: folded };
  return { text, key: folded };
}
