import { startMailchimpSimulator, type MailchimpSimulator } from '@contacts/local';
import { parseCsvText } from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  audienceDirectoryCsv,
  download,
  startHarness,
  TENANT_A,
  waitForJob,
  type Harness,
  type JobBody,
} from '../src/index.ts';

/*
 * Write-back when Mailchimp refuses: members refused one by one (a compliance state, a merge
 * value too long) and whole batches failing (5xx, an answer lost after the batch was applied, a
 * 400), through the public surface only: a connection and jobs made through the API, the
 * workers' own Mailchimp client and fleet limiter, the simulator as Mailchimp.
 */

const auth = { Authorization: `Bearer ${TENANT_A.key}` };
const COMPLIANCE_ERROR =
  'is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.';

let simulator: MailchimpSimulator;
let harness: Harness;
let connectionId: string;

beforeAll(async () => {
  simulator = await startMailchimpSimulator({ latencyMs: 10, sampleSize: 0, seed: 11 });
  harness = await startHarness({
    prefix: 'e2e-mailchimp-wb-errors',
    env: { MAILCHIMP_API_URL: simulator.url },
  });
  harness.startWorker();
  harness.startWorker();
  const created = await request(harness.app)
    .post('/v1/connections')
    .set(auth)
    .send({ type: 'mailchimp', apiKey: simulator.apiKey });
  expect(created.status).toBe(201);
  connectionId = (created.body as { id: string }).id;
});

afterAll(async () => {
  await harness.close();
  await simulator.close();
});

/** A directory that gives members a new company: `companyOf(i)`, or their own when undefined. */
async function directoryOf(
  listId: string,
  companyOf: (index: number) => string | undefined,
): Promise<string> {
  const res = await request(harness.app)
    .post('/v1/directories')
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(audienceDirectoryCsv(simulator.members(listId), companyOf));
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

async function runWriteBack(listId: string, directoryId: string): Promise<JobBody> {
  const res = await request(harness.app)
    .post('/v1/jobs')
    .set(auth)
    .send({
      source: { type: 'mailchimp', connectionId, listId },
      writeBack: true,
      directoryId,
      chunkRows: 20,
    });
  expect(res.status).toBe(202);
  return waitForJob(harness.app, (res.body as { id: string }).id, { timeoutMs: 90_000 });
}

async function csv(url: string): Promise<string[][]> {
  return parseCsvText(await download(url), { delimiter: ',' });
}

describe('members Mailchimp refuses one by one', () => {
  it('completes the job, lists exactly those members in the rejects file with Mailchimp’s reason, and writes the others once', async () => {
    const listId = simulator.createAudience({ size: 50, seed: 3 });
    const before = simulator.members(listId);
    // Members 0–29 get a new company; five of them are refused.
    const changed = 30;
    const held = [2, 9, 24];
    const overlong = [5, 21];
    const longCompany = (i: number): string => `Company ${i} `.padEnd(300, 'x');
    const directoryId = await directoryOf(listId, (i) => {
      if (i >= changed) return undefined;
      return overlong.includes(i) ? longCompany(i) : `Newco ${i}`;
    });
    expect(
      simulator.holdInCompliance(
        listId,
        held.map((i) => before[i]!.email),
      ),
    ).toBe(held.length);
    simulator.reset();

    const view = await runWriteBack(listId, directoryId);

    expect(view.error).toBeUndefined();
    expect(view.status).toBe('completed');
    const refused = held.length + overlong.length;
    expect(view.writeBack).toEqual({ membersWritten: changed - refused, errors: refused });
    // The rows were enriched fine: a refused write-back is no rejected row.
    expect(view.progress).toMatchObject({ rowsTotal: 50, rowsProcessed: 50, rowsRejected: 0 });

    const result = view.result as { url: string; rejectsUrl: string };
    const [header = [], ...rejects] = await csv(result.rejectsUrl);
    expect(header).toEqual(['row_number', 'reason']);
    const expected = [
      ...held.map((i) => [
        String(i + 1),
        `write-back refused by Mailchimp: the address ${COMPLIANCE_ERROR}`,
      ]),
      ...overlong.map((i) => [
        String(i + 1),
        'write-back refused by Mailchimp: Your merge fields were invalid. (COMPANY: Please enter a value of 255 characters or fewer.)',
      ]),
    ].sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(rejects).toEqual(expected);
    // Reasons name no cell: no address, no company.
    const rejectsText = JSON.stringify(rejects);
    for (const i of [...held, ...overlong]) {
      expect(rejectsText).not.toContain(before[i]!.email);
      expect(rejectsText).not.toContain(longCompany(i));
    }
    // Each row number names the refused member's row in the result.
    const [outputHeader = [], ...rows] = await csv(result.url);
    const emailAt = outputHeader.indexOf('Email Address');
    for (const [rowNumber] of rejects) {
      const member = before[Number(rowNumber) - 1]!;
      expect(rows[Number(rowNumber) - 1]?.[emailAt]).toBe(member.email);
    }

    // Every changed member was named in exactly one upsert; only the accepted ones changed.
    const upserted = simulator.upsertsOf(listId);
    expect([...upserted.keys()].sort()).toEqual(
      before
        .slice(0, changed)
        .map((m) => m.email.toLowerCase())
        .sort(),
    );
    expect([...upserted.values()].every((times) => times === 1)).toBe(true);
    simulator.members(listId).forEach((member, i) => {
      const accepted = i < changed && !held.includes(i) && !overlong.includes(i);
      const company = accepted ? `Newco ${i}` : before[i]!.mergeFields.COMPANY;
      expect(member.mergeFields).toEqual({ ...before[i]!.mergeFields, COMPANY: company });
    });
    expect(simulator.stats().upserts).toMatchObject({
      members: changed,
      updated: changed - refused,
      unchanged: 0,
      errors: refused,
    });
  });
});

describe('batches Mailchimp fails as a whole', () => {
  it('sends a batch again after 5xx answers, and one applied before its answer was lost changes nothing twice', async () => {
    const listId = simulator.createAudience({ size: 40, seed: 4 });
    const before = simulator.members(listId);
    const directoryId = await directoryOf(listId, (i) => `Renamed ${i}`);
    simulator.reset();
    // The first batch request fails outright, its next try is applied but its answer is lost.
    simulator.injectFault({ route: 'batch', status: 503 });
    simulator.injectFault({ route: 'batch', status: 500, afterApplying: true });

    const view = await runWriteBack(listId, directoryId);

    expect(view.error).toBeUndefined();
    expect(view.status).toBe('completed');
    expect(view.writeBack).toEqual({ membersWritten: 40, errors: 0 });
    const stats = simulator.stats();
    expect(stats.faults).toBe(2);
    // Two batches (a page of 20 each), three tries for the one that met the faults.
    expect(stats.upserts.requests).toBe(2 + 1);
    // The resent batch found its values there already: every member changed exactly once.
    expect(stats.upserts).toMatchObject({ updated: 40, unchanged: 20, errors: 0 });
    simulator.members(listId).forEach((member, i) => {
      expect(member.mergeFields).toEqual({ ...before[i]!.mergeFields, COMPANY: `Renamed ${i}` });
    });
  });

  it('redelivers a batch Mailchimp refused whole (400) and completes once it is accepted', async () => {
    const listId = simulator.createAudience({ size: 40, seed: 5 });
    const before = simulator.members(listId);
    const directoryId = await directoryOf(listId, (i) => (i % 2 === 0 ? `Even ${i}` : undefined));
    simulator.reset();
    // A 400 is not retried by the client: the message fails and SQS delivers it again.
    simulator.injectFault({ route: 'batch', status: 400 });

    const view = await runWriteBack(listId, directoryId);

    expect(view.error).toBeUndefined();
    expect(view.status).toBe('completed');
    expect(view.writeBack).toEqual({ membersWritten: 20, errors: 0 });
    const stats = simulator.stats();
    expect(stats.faults).toBe(1);
    expect(stats.responses['400']).toBe(1);
    expect(stats.upserts).toMatchObject({ requests: 2, updated: 20, unchanged: 0, errors: 0 });
    const upserted = simulator.upsertsOf(listId);
    expect(upserted.size).toBe(20);
    expect([...upserted.values()].every((times) => times === 1)).toBe(true);
    simulator.members(listId).forEach((member, i) => {
      const company = i % 2 === 0 ? `Even ${i}` : before[i]!.mergeFields.COMPANY;
      expect(member.mergeFields).toEqual({ ...before[i]!.mergeFields, COMPANY: company });
    });
  });
});
