import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPdlSimulator, type PdlSimulator } from '../src/index.ts';
import { buildSyntheticWorld } from '../src/pdl-simulator/synthetic-world.ts';
import type { PdlPerson } from '../src/pdl-simulator/pdl-person.ts';
import { bulkItems, parseCsv, postBulk, type BulkItem } from './pdl-simulator-helpers.ts';

// A small world keeps each test fast; the sample people are always in it.
const WORLD = { seed: 7, worldSize: 2_000 };
let simulator: PdlSimulator;

beforeAll(async () => {
  simulator = await startPdlSimulator({ ...WORLD, rateLimit: { requests: 10_000 } });
});
afterAll(async () => {
  await simulator.close();
});

/** A generated person whose name and employer no one else shares, so name matching is fair. */
function uniquelyNamed(people: readonly PdlPerson[]): PdlPerson {
  const counts = new Map<string, number>();
  const key = (p: PdlPerson): string => `${p.full_name}|${p.job_company_name ?? ''}`;
  for (const p of people) counts.set(key(p), (counts.get(key(p)) ?? 0) + 1);
  const byName = new Map<string, number>();
  for (const p of people) byName.set(p.full_name, (byName.get(p.full_name) ?? 0) + 1);
  const found = people.find(
    (p) => !p.id.startsWith('sample-') && counts.get(key(p)) === 1 && byName.get(p.full_name) === 1,
  );
  if (!found) throw new Error('the world has no uniquely named person');
  return found;
}

describe('PDL simulator wire format', () => {
  it('answers a bulk request in request order, echoing metadata, billing only matches', async () => {
    simulator.reset();
    const call = await postBulk(simulator, {
      requests: [
        { params: { email: 'liz@example.com' }, metadata: { row: 7 } },
        { params: { email: 'nobody@nowhere.example' }, metadata: { row: 8, tag: 'x' } },
        { params: { phone: '+14155550132' }, metadata: 'three' },
        { params: { email: 'jan@vdberg.nl' } },
      ],
    });

    expect(call.status).toBe(200);
    const items = call.body as BulkItem[];
    expect(items.map((i) => i.status)).toEqual([200, 404, 200, 200]);
    expect(items.map((i) => i.metadata)).toEqual([
      { row: 7 },
      { row: 8, tag: 'x' },
      'three',
      undefined,
    ]);
    expect(items.map((i) => i.data?.id)).toEqual([
      'sample-elizabeth-taylor_0001',
      undefined,
      'sample-robert-smith_0001',
      'sample-jan-vanderberg_0001',
    ]);
    expect(items[1]).toEqual({
      status: 404,
      error: { type: 'not_found', message: 'No records were found matching your request' },
      metadata: { row: 8, tag: 'x' },
    });
    // PDL's text fields come lower-cased.
    expect(items[0]?.data?.full_name).toBe('elizabeth taylor');
    expect(call.headers.get('x-call-credits-spent')).toBe('3');
    expect(JSON.parse(call.headers.get('x-ratelimit-limit') ?? '')).toEqual({ minute: 10_000 });
    expect(JSON.parse(call.headers.get('x-ratelimit-remaining') ?? '')).toEqual({ minute: 9_999 });
    expect(call.headers.get('x-ratelimit-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const stats = simulator.stats();
    expect(stats).toMatchObject({ lookups: 4, matches: 3, notFound: 1 });
    expect(stats.billedByKey).toEqual({ 'local-pdl-key': 3 });
  });

  it('takes 1 to 100 requests and refuses other counts with a clear 400', async () => {
    const one = { params: { email: 'liz@example.com' } };
    const empty = await postBulk(simulator, { requests: [] });
    const tooMany = await postBulk(simulator, { requests: Array.from({ length: 101 }, () => one) });
    const hundred = await postBulk(simulator, { requests: Array.from({ length: 100 }, () => one) });
    const noList = await postBulk(simulator, { request: [one] });

    for (const refused of [empty, tooMany, noList]) {
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ status: 400, error: { type: 'invalid_request_error' } });
    }
    expect(JSON.stringify(empty.body)).toContain('between 1 and 100');
    expect(JSON.stringify(tooMany.body)).toContain('between 1 and 100');
    expect(hundred.status).toBe(200);
    expect(hundred.body).toHaveLength(100);
  });

  it('refuses a missing or unknown key with PDL 401 body and bills nothing', async () => {
    simulator.reset();
    const request = { requests: [{ params: { email: 'liz@example.com' } }] };
    const missing = await postBulk(simulator, request, null);
    const unknown = await postBulk(simulator, request, 'not-a-key');

    for (const refused of [missing, unknown]) {
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ status: 401, error: { type: 'authentication_error' } });
    }
    expect(simulator.stats()).toMatchObject({ matches: 0, lookups: 0, responses: { '401': 2 } });
  });

  it('answers a request without enough to match with a per-item 400, unbilled', async () => {
    simulator.reset();
    const items = await bulkItems(simulator, [
      { params: { name: 'Robert Smith' } },
      { params: { email: 'liz@example.com' } },
    ]);

    expect(items[0]).toMatchObject({ status: 400, error: { type: 'invalid_request_error' } });
    expect(items[1]?.status).toBe(200);
    expect(simulator.stats().matches).toBe(1);
  });

  it('serves single enrichments on GET /v5/person/enrich with HTTP 200 and 404', async () => {
    const key = simulator.apiKeys[0] ?? '';
    const hit = await fetch(`${simulator.url}/v5/person/enrich?email=zoe.mueller@example.de`, {
      headers: { 'x-api-key': key },
    });
    const miss = await fetch(
      `${simulator.url}/v5/person/enrich?email=ghost@example.com&api_key=${key}`,
    );

    expect(hit.status).toBe(200);
    expect(await hit.json()).toMatchObject({ status: 200, data: { id: 'sample-zoe-muller_0001' } });
    expect(miss.status).toBe(404);
    expect(await miss.json()).toMatchObject({ status: 404, error: { type: 'not_found' } });
  });
});

describe('PDL simulator world', () => {
  it('is the same world for the same seed and another for another seed', async () => {
    const first = buildSyntheticWorld({ seed: WORLD.seed, size: WORLD.worldSize });
    const again = buildSyntheticWorld({ seed: WORLD.seed, size: WORLD.worldSize });
    const other = buildSyntheticWorld({ seed: WORLD.seed + 1, size: WORLD.worldSize });
    expect(again.people).toEqual(first.people);
    expect(other.people.map((p) => p.id)).not.toEqual(first.people.map((p) => p.id));

    // And a second simulator with the seed answers exactly as the first does.
    const twin = await startPdlSimulator({ ...WORLD });
    try {
      const people = first.people.filter((_, i) => i % 97 === 11).slice(0, 10);
      const requests = people.map((p) => ({ params: { email: p.work_email } }));
      const [a, b] = await Promise.all([bulkItems(simulator, requests), bulkItems(twin, requests)]);
      expect(b).toEqual(a);
      expect(a.map((i) => i.data?.id)).toEqual(people.map((p) => p.id));
    } finally {
      await twin.close();
    }
  });

  it('holds every person of samples/contacts.csv but Tom Hanks, some with newer facts', async () => {
    const csv = readFileSync(new URL('../../samples/contacts.csv', import.meta.url), 'utf8');
    const [header, ...rows] = parseCsv(csv).filter((row) => row.some((cell) => cell !== ''));
    const column = (name: string): number => header?.indexOf(name) ?? -1;
    const contacts = rows
      .map((row) => ({
        first: row[column('First Name')] ?? '',
        last: row[column('Last Name')] ?? '',
        email: row[column('Email')] ?? '',
        phone: row[column('Phone')] ?? '',
        company: row[column('Company')] ?? '',
        title: row[column('Title')] ?? '',
        city: row[column('City')] ?? '',
      }))
      .filter((c) => c.first !== '' || c.email !== '');

    const items = await bulkItems(
      simulator,
      contacts.map((c) => ({
        params: {
          ...(c.email && { email: c.email }),
          ...(c.phone && { phone: c.phone }),
          first_name: c.first,
          last_name: c.last,
          ...(c.company && { company: c.company }),
          ...(c.city && { locality: c.city }),
        },
      })),
      { titlecase: true },
    );

    const matched = contacts.filter((_, i) => items[i]?.status === 200);
    const missed = contacts.filter((_, i) => items[i]?.status === 404);
    expect(missed.map((c) => `${c.first} ${c.last}`)).toEqual(['Tom Hanks']);
    expect(matched).toHaveLength(contacts.length - 1);
    // Newer facts: a changed title or city for most, so the sample run shows updates.
    const changed = contacts.filter((c, i) => {
      const data = items[i]?.data;
      return (
        data !== undefined && (data.job_title !== c.title || data.location_locality !== c.city)
      );
    });
    expect(changed.length).toBeGreaterThanOrEqual(5);
  });
});

describe('PDL simulator matching', () => {
  const world = buildSyntheticWorld({ seed: WORLD.seed, size: WORLD.worldSize });
  const person = uniquelyNamed(world.people);
  const company = person.job_company_name ?? '';
  const locality = person.location_locality ?? '';

  it('matches by email whatever its case, and by phone written nationally', async () => {
    const items = await bulkItems(simulator, [
      { params: { email: 'WILLIAM.OBRIEN@Example.com' } },
      { params: { phone: '020 123 4567', country: 'Netherlands' } },
      { params: { phone: '(415) 555-0132' } },
      { params: { email: (person.work_email ?? '').toUpperCase() } },
    ]);

    expect(items.map((i) => i.data?.id)).toEqual([
      'sample-william-obrien_0001',
      'sample-jan-vanderberg_0001',
      'sample-robert-smith_0001',
      person.id,
    ]);
  });

  it('matches by name with employer or place, more likely the more agrees', async () => {
    const items = await bulkItems(simulator, [
      { params: { name: person.full_name, company } },
      { params: { first_name: person.first_name, last_name: person.last_name, company, locality } },
      { params: { name: person.full_name, company: 'No Such Company Inc' } },
      { params: { email: person.work_email } },
      {
        params: {
          email: person.work_email,
          phone: person.phone_numbers[0],
          name: person.full_name,
        },
      },
    ]);

    expect(items.map((i) => i.status)).toEqual([200, 200, 404, 200, 200]);
    expect(items.map((i) => i.data?.id ?? null)).toEqual([
      person.id,
      person.id,
      null,
      person.id,
      person.id,
    ]);
    const [nameCompany, namePlace, , email, emailPhoneName] = items.map((i) => i.likelihood ?? 0);
    expect(nameCompany).toBeLessThan(namePlace ?? 0);
    expect(namePlace).toBeLessThan(email ?? 0);
    expect(email).toBeLessThan(emailPhoneName ?? 0);
    expect(emailPhoneName).toBeLessThanOrEqual(10);
    expect(nameCompany).toBeGreaterThanOrEqual(1);
  });

  it('honours min_likelihood per request and for the whole bulk', async () => {
    const weak = { params: { name: person.full_name, company } };
    const strong = { params: { email: person.work_email } };
    const [weakLikelihood] = (await bulkItems(simulator, [weak])).map((i) => i.likelihood ?? 0);
    const threshold = (weakLikelihood ?? 0) + 1;

    const perRequest = await bulkItems(simulator, [
      { params: { ...weak.params, min_likelihood: threshold } },
      { params: { ...strong.params, min_likelihood: threshold } },
    ]);
    const whole = await bulkItems(simulator, [weak, strong], { min_likelihood: threshold });
    const overridden = await bulkItems(
      simulator,
      [{ params: { ...weak.params, min_likelihood: 1 } }],
      { min_likelihood: 10 },
    );

    expect(perRequest.map((i) => i.status)).toEqual([404, 200]);
    expect(whole.map((i) => i.status)).toEqual([404, 200]);
    expect(overridden.map((i) => i.status)).toEqual([200]);
  });

  it('honours required: a match lacking the fields is no match, a bad expression is a 400', async () => {
    const items = await bulkItems(simulator, [
      { params: { email: 'liz@example.com', required: 'emails AND (job_title OR phone_numbers)' } },
      { params: { email: 'william.obrien@example.com', required: 'personal_emails' } },
      { params: { email: 'liz@example.com', required: 'emails AND (' } },
    ]);

    expect(items.map((i) => i.status)).toEqual([200, 404, 400]);
  });
});
