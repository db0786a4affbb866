import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAILCHIMP_SIM_KEY,
  SAMPLE_LIST_ID,
  startMailchimpSimulator,
  subscriberHash,
  type MailchimpSimulator,
  type MailchimpSimulatorDependencies,
  type MailchimpSimulatorOptions,
} from '../src/index.ts';

const running: MailchimpSimulator[] = [];

async function simulator(
  options: MailchimpSimulatorOptions = {},
  deps: MailchimpSimulatorDependencies = {},
): Promise<MailchimpSimulator> {
  const sim = await startMailchimpSimulator({ latencyMs: 0, ...options }, deps);
  running.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

function basic(key: string): string {
  return `Basic ${Buffer.from(`anystring:${key}`).toString('base64')}`;
}

async function call(
  sim: MailchimpSimulator,
  path: string,
  init: { method?: string; body?: unknown; auth?: string | null } = {},
): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
  const auth = init.auth === undefined ? basic(sim.apiKey) : init.auth;
  const res = await fetch(`${sim.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(auth === null ? {} : { authorization: auth }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe('Mailchimp simulator: authentication and ping', () => {
  it('answers ping for a good key, by Basic auth, apikey and Bearer', async () => {
    const sim = await simulator();
    for (const auth of [
      basic(DEFAULT_MAILCHIMP_SIM_KEY),
      `apikey ${DEFAULT_MAILCHIMP_SIM_KEY}`,
      `Bearer ${DEFAULT_MAILCHIMP_SIM_KEY}`,
    ]) {
      const answer = await call(sim, '/3.0/ping', { auth });
      expect(answer).toMatchObject({
        status: 200,
        body: { health_status: "Everything's Chimpy!" },
      });
    }
  });

  it('refuses a bad or missing key with Mailchimp problem details', async () => {
    const sim = await simulator();
    const bad = await call(sim, '/3.0/ping', { auth: basic('0000000000-us1') });
    expect(bad.status).toBe(401);
    expect(bad.type).toContain('application/problem+json');
    expect(bad.body).toMatchObject({ title: 'API Key Invalid', status: 401 });
    expect(bad.body.detail).toMatch(/API key may be invalid/);
    expect(typeof bad.body.instance).toBe('string');
    const missing = await call(sim, '/3.0/ping', { auth: null });
    expect(missing.body).toMatchObject({ title: 'API Key Missing', status: 401 });
  });

  it('names the account of a key at the API root', async () => {
    const sim = await simulator({
      accounts: [
        { id: 'acct1', apiKeys: ['aaaaaaaaaaaa-us1', 'bbbbbbbbbbbb-us1'] },
        { id: 'acct2', apiKeys: ['cccccccccccc-us2'] },
      ],
    });
    const first = await call(sim, '/3.0/', { auth: basic('bbbbbbbbbbbb-us1') });
    const second = await call(sim, '/3.0/?fields=account_id', { auth: basic('cccccccccccc-us2') });
    expect(first.body.account_id).toBe('acct1');
    expect(second.body).toEqual({ account_id: 'acct2' });
  });
});

describe('Mailchimp simulator: lists and members', () => {
  it('serves the sample audience with its counts and merge fields', async () => {
    const sim = await simulator();
    expect(sim.sampleListId).toBe(SAMPLE_LIST_ID);
    const list = await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}`);
    const all = sim.members(SAMPLE_LIST_ID);
    expect(all).toHaveLength(300);
    const subscribed = all.filter((m) => m.status === 'subscribed').length;
    expect(list.body).toMatchObject({ id: SAMPLE_LIST_ID, stats: { member_count: subscribed } });
    const page = await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}/members?count=5&offset=0`);
    const members = page.body.members as { email_address: string; merge_fields: object }[];
    expect(page.body.total_items).toBe(300);
    expect(members.map((m) => m.email_address)).toEqual(all.slice(0, 5).map((m) => m.email));
    expect(Object.keys(members[0]?.merge_fields ?? {}).sort()).toEqual([
      'ADDRESS',
      'COMPANY',
      'FNAME',
      'LNAME',
      'PHONE',
    ]);
  });

  it('keeps only the fields asked for', async () => {
    const sim = await simulator();
    const page = await call(
      sim,
      `/3.0/lists/${SAMPLE_LIST_ID}/members?count=2&fields=members.email_address,members.merge_fields.FNAME,total_items`,
    );
    const first = sim.members(SAMPLE_LIST_ID)[0];
    expect(Object.keys(page.body).sort()).toEqual(['members', 'total_items']);
    expect((page.body.members as unknown[])[0]).toEqual({
      email_address: first?.email,
      merge_fields: { FNAME: first?.mergeFields.FNAME },
    });
  });

  it('pages in a stable order: every member once, whatever the page size', async () => {
    const sim = await simulator({ sampleSize: 0 });
    const listId = sim.createAudience({ size: 2_345 });
    const seen: string[] = [];
    for (let offset = 0; offset < 2_345; offset += 1000) {
      const page = await call(
        sim,
        `/3.0/lists/${listId}/members?offset=${String(offset)}&count=1000&fields=members.email_address`,
      );
      seen.push(...(page.body.members as { email_address: string }[]).map((m) => m.email_address));
    }
    expect(new Set(seen).size).toBe(2_345);
    expect(sim.stats().membersRead[listId]).toEqual({ reads: 2_345, distinct: 2_345, repeated: 0 });
    expect(sim.readsOf(listId).get(seen[0]?.toLowerCase() ?? '')).toBe(1);
    expect(sim.stats().pagesServed).toBe(3);
  });

  it('refuses a page over 1000, an unknown list, and another account’s list', async () => {
    const sim = await simulator({
      accounts: [
        { id: 'acct1', apiKeys: ['aaaaaaaaaaaa-us1'] },
        { id: 'acct2', apiKeys: ['cccccccccccc-us2'] },
      ],
    });
    const big = await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}/members?count=1001`, {
      auth: basic('aaaaaaaaaaaa-us1'),
    });
    expect(big.status).toBe(400);
    expect(big.body.detail).toMatch(/1000 or less/);
    const unknown = await call(sim, '/3.0/lists/nope/members', { auth: basic('aaaaaaaaaaaa-us1') });
    expect(unknown.body).toMatchObject({ status: 404, title: 'Resource Not Found' });
    const foreign = await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}`, {
      auth: basic('cccccccccccc-us2'),
    });
    expect(foreign.status).toBe(404);
  });

  it('shows members removed or added mid-import the way offset paging does', async () => {
    const sim = await simulator({ sampleSize: 0 });
    const listId = sim.createAudience({ size: 10 });
    const before = sim.members(listId).map((m) => m.email);
    expect(sim.removeMembers(listId, [before[0] ?? ''])).toBe(1);
    expect(sim.addMembers(listId, [{ email: 'late@example.com' }])).toBe(1);
    const page = await call(sim, `/3.0/lists/${listId}/members?offset=0&count=3`);
    const emails = (page.body.members as { email_address: string }[]).map((m) => m.email_address);
    expect(emails).toEqual(before.slice(1, 4));
    expect(sim.members(listId).at(-1)?.email).toBe('late@example.com');
  });
});

describe('Mailchimp simulator: batch upsert', () => {
  it('creates, updates and refuses members as Mailchimp answers', async () => {
    const sim = await simulator();
    const existing = sim.members(SAMPLE_LIST_ID)[0];
    const answer = await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}`, {
      method: 'POST',
      body: {
        update_existing: true,
        members: [
          { email_address: existing?.email, merge_fields: { COMPANY: 'Newco' } },
          { email_address: 'new.one@example.com', status: 'subscribed', merge_fields: {} },
          { email_address: 'not-an-email', status: 'subscribed' },
        ],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ total_created: 1, total_updated: 1, error_count: 1 });
    expect((answer.body.errors as { email_address: string }[])[0]?.email_address).toBe(
      'not-an-email',
    );
    expect(sim.members(SAMPLE_LIST_ID)[0]?.mergeFields.COMPANY).toBe('Newco');
    expect(sim.members(SAMPLE_LIST_ID)[0]?.id).toBe(subscriberHash(existing?.email ?? ''));
    expect(sim.stats().upserts).toMatchObject({ created: 1, updated: 1, errors: 1 });
  });

  it('pages show a member’s change at once, under every selection of fields', async () => {
    const sim = await simulator();
    const first = sim.members(SAMPLE_LIST_ID)[0];
    const page = async (fields: string): Promise<Record<string, unknown>[]> =>
      (await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}/members?offset=0&count=2&fields=${fields}`))
        .body.members as Record<string, unknown>[];
    const narrow = 'members.email_address,members.merge_fields.COMPANY';
    const before = await page(narrow);
    expect(before[0]).toEqual({
      email_address: first?.email,
      merge_fields: { COMPANY: first?.mergeFields.COMPANY },
    });

    await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}`, {
      method: 'POST',
      body: {
        update_existing: true,
        members: [{ email_address: first?.email, merge_fields: { COMPANY: 'Changed Co' } }],
      },
    });

    expect((await page(narrow))[0]).toEqual({
      email_address: first?.email,
      merge_fields: { COMPANY: 'Changed Co' },
    });
    expect((await page('members.email_address'))[0]).toEqual({ email_address: first?.email });
    expect(
      ((await page('members.merge_fields'))[0]?.merge_fields as Record<string, unknown>).COMPANY,
    ).toBe('Changed Co');
    expect((await page(narrow))[1]).toEqual(before[1]);
  });

  it('counts a repeated upsert as unchanged, and refuses existing members without update_existing', async () => {
    const sim = await simulator();
    const email = sim.members(SAMPLE_LIST_ID)[1]?.email ?? '';
    const body = {
      update_existing: true,
      members: [{ email_address: email, merge_fields: { PHONE: '+15550100' } }],
    };
    await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}`, { method: 'POST', body });
    await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}`, { method: 'POST', body });
    expect(sim.stats().upserts).toMatchObject({ updated: 1, unchanged: 1 });
    expect(sim.upsertsOf(SAMPLE_LIST_ID).get(email.toLowerCase())).toBe(2);
    const refused = await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}`, {
      method: 'POST',
      body: { members: [{ email_address: email, status: 'subscribed' }] },
    });
    expect((refused.body.errors as { error_code: string }[])[0]?.error_code).toBe(
      'ERROR_CONTACT_EXISTS',
    );
  });

  it('refuses more than 500 members at once', async () => {
    const sim = await simulator();
    const members = Array.from({ length: 501 }, (_, i) => ({
      email_address: `m${String(i)}@example.com`,
      status: 'subscribed',
    }));
    const answer = await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}`, {
      method: 'POST',
      body: { members, update_existing: true },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toMatch(/500/);
  });
});

describe('Mailchimp simulator: refused members and failing requests', () => {
  it('refuses members in a compliance state and overlong merge values, member by member', async () => {
    const sim = await simulator();
    const [held, long, fine] = sim.members(SAMPLE_LIST_ID);
    const admin = await fetch(`${sim.url}/_sim/lists/${SAMPLE_LIST_ID}/compliance`, {
      method: 'POST',
      body: JSON.stringify({ emails: [held?.email] }),
    });
    expect(await admin.json()).toEqual({ held: 1 });

    const answer = await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}`, {
      method: 'POST',
      body: {
        update_existing: true,
        members: [
          { email_address: held?.email, merge_fields: { COMPANY: 'Newco' } },
          { email_address: long?.email, merge_fields: { COMPANY: 'x'.repeat(256) } },
          { email_address: fine?.email, merge_fields: { COMPANY: 'y'.repeat(255) } },
        ],
      },
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ total_updated: 1, error_count: 2 });
    expect(answer.body.errors).toEqual([
      {
        email_address: held?.email,
        error: `${held?.email ?? ''} is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.`,
        error_code: 'ERROR_GENERIC',
        field: '',
        field_message: '',
      },
      {
        email_address: long?.email,
        error: 'Your merge fields were invalid.',
        error_code: 'ERROR_GENERIC',
        field: 'COMPANY',
        field_message: 'Please enter a value of 255 characters or fewer.',
      },
    ]);
    expect(sim.members(SAMPLE_LIST_ID)[0]?.mergeFields).toEqual(held?.mergeFields);
    expect(sim.members(SAMPLE_LIST_ID)[2]?.mergeFields.COMPANY).toBe('y'.repeat(255));
  });

  it('fails the next requests of a route, before or after applying a batch, then recovers', async () => {
    const sim = await simulator();
    const email = sim.members(SAMPLE_LIST_ID)[3]?.email ?? '';
    const upsert = (company: string) =>
      call(sim, `/3.0/lists/${SAMPLE_LIST_ID}`, {
        method: 'POST',
        body: {
          update_existing: true,
          members: [{ email_address: email, merge_fields: { COMPANY: company } }],
        },
      });
    const admin = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: 'batch', status: 503, times: 2 }),
    });
    expect(admin.status).toBe(201);
    sim.injectFault({ route: 'batch', status: 500, afterApplying: true });
    sim.injectFault({ route: 'members', status: 502 });

    expect((await upsert('A')).status).toBe(503);
    expect((await upsert('B')).status).toBe(503);
    expect(sim.members(SAMPLE_LIST_ID)[3]?.mergeFields.COMPANY).not.toMatch(/^[AB]$/);
    const lost = await upsert('C');
    expect(lost.status).toBe(500);
    expect(lost.type).toContain('application/problem+json');
    expect(sim.members(SAMPLE_LIST_ID)[3]?.mergeFields.COMPANY).toBe('C');
    expect((await upsert('C')).body).toMatchObject({ total_updated: 1, error_count: 0 });
    expect((await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}/members`)).status).toBe(502);
    expect((await call(sim, `/3.0/lists/${SAMPLE_LIST_ID}/members`)).status).toBe(200);
    expect(sim.stats()).toMatchObject({
      faults: 4,
      responses: { '200': 2, '500': 1, '502': 1, '503': 2 },
      upserts: { updated: 1, unchanged: 1 },
    });
  });
});

describe('Mailchimp simulator: connection limit', () => {
  it('answers the 11th simultaneous request 429 and counts it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let waiting = 0;
    let allWaiting: () => void = () => undefined;
    const tenWaiting = new Promise<void>((resolve) => {
      allWaiting = resolve;
    });
    const sim = await simulator(
      {},
      {
        onMembersPage: async () => {
          if (++waiting === 10) allWaiting();
          await gate;
        },
      },
    );
    const pages = Array.from({ length: 10 }, (_, i) =>
      call(sim, `/3.0/lists/${SAMPLE_LIST_ID}/members?offset=${String(i * 10)}&count=10`),
    );
    await tenWaiting;
    const eleventh = await call(sim, '/3.0/ping');
    expect(eleventh.status).toBe(429);
    expect(eleventh.body).toMatchObject({ title: 'Too Many Requests', status: 429 });
    expect(eleventh.body.detail).toMatch(/10 simultaneous connections/);
    release();
    const answers = await Promise.all(pages);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(sim.stats()).toMatchObject({ connectionViolations: 1, maxConnections: 10 });
    const after = await call(sim, '/3.0/ping');
    expect(after.status).toBe(200);
  });
});
