import { randomUUID } from 'node:crypto';
import {
  createNicknameTable,
  INDEX_ARTIFACT_VERSION,
  loadDirectoryIndexArtifact,
} from '@contacts/enrichment';
import { DirectoryIndexLeases, NicknameStore, objectKeys } from '@contacts/shared';
import { nicknameFingerprint, parseCsvText, type Worker } from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  download,
  startHarness,
  TENANT_A,
  waitFor,
  waitForJob,
  type Harness,
} from '../src/index.ts';

/**
 * Directory index artifacts across workers: one build per directory version for the whole
 * fleet, stored in S3 and loaded by the others; a dead builder's lease, a corrupt artifact and
 * a replaced directory each lead to exactly one new build.
 */

const auth = { Authorization: `Bearer ${TENANT_A.key}` };
const LEASE_SECONDS = 2;
let harness: Harness;
/** Every build from a CSV by any worker of this file, by artifact key, with when it started. */
const builds: { key: string; at: number }[] = [];
const buildsOf = (key: string): number => builds.filter((b) => b.key === key).length;

const HEADER = 'id,first_name,last_name,email,phone,company,title,city,updated_at';
const ROBERT =
  'p-100,Robert,Smith,robert.smith@example.com,+14155550132,Globex,CTO,San Francisco,2026-06-01';
const MARGARET =
  'p-200,Margaret,Okafor,maggie.okafor@example.org,+442079460958,Initech,Analyst,London,2026-05-01';
const JAN = 'p-300,Jan,van der Berg,jan@vdberg.nl,+31201234567,Hooli,Designer,Amsterdam,2026-04-01';
const directoryCsv = (...people: string[]): string => [HEADER, ...people].join('\n');

/** Rows that name the three people above, repeated so the job has many chunks. */
function crm(copies: number): string {
  const rows = [
    'First Name,Last Name,Email',
    ...Array.from({ length: copies }, () => [
      'Robert,Smith,robert.smith@example.com',
      'Maggie,Okafor,maggie.okafor@example.org',
      'Jan,van der Berg,jan@vdberg.nl',
    ]).flat(),
  ];
  return rows.join('\n');
}

beforeAll(async () => {
  harness = await startHarness({
    prefix: 'e2e-directory-index',
    env: { DIRECTORY_INDEX_LEASE_SECONDS: String(LEASE_SECONDS), CHUNK_CONCURRENCY: '2' },
  });
});

afterAll(async () => {
  await harness.close();
});

function startWorker(): Worker {
  return harness.startWorker({
    onDirectoryIndexBuild: (key) => builds.push({ key, at: Date.now() }),
  });
}

/** A directory put straight into S3 (no api check, so no eager build): the lazy path. */
async function putDirectory(csv: string, directoryId: string = randomUUID()): Promise<string> {
  await harness.objects.put(
    objectKeys.directory({ tenantId: TENANT_A.tenantId, id: directoryId }),
    csv,
  );
  return directoryId;
}

/** Where the current version of a directory has its index artifact. */
async function artifactKeyOf(directoryId: string): Promise<string> {
  const csv = await harness.objects.head(
    objectKeys.directory({ tenantId: TENANT_A.tenantId, id: directoryId }),
  );
  if (csv === undefined) throw new Error(`directory ${directoryId} is missing`);
  const pairs = await nicknameStore().loadPairs();
  return objectKeys.directoryIndex({
    tenantId: TENANT_A.tenantId,
    id: directoryId,
    etag: csv.etag,
    nicknameFingerprint: nicknameFingerprint(pairs),
    format: INDEX_ARTIFACT_VERSION,
  });
}

function nicknameStore(): NicknameStore {
  return new NicknameStore({
    client: harness.clients.dynamodb,
    table: harness.config.resources.nicknamesTable,
  });
}

async function readObject(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await harness.objects.read(key)) as AsyncIterable<Buffer>)
    chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Runs a job against the directory and returns its output rows' match ids (by row). */
async function runJob(directoryId: string, copies: number, chunkRows = 3): Promise<string[][]> {
  const res = await request(harness.app)
    .post('/v1/jobs')
    .query({ fileName: 'crm.csv', directoryId, chunkRows: String(chunkRows) })
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(crm(copies));
  expect(res.status).toBe(202);
  const job = await waitForJob(harness.app, res.body.id as string, { timeoutMs: 60_000 });
  expect(job.status).toBe('completed');
  expect(job.progress.rowsProcessed).toBe(copies * 3);
  const [, ...rows] = await parseCsvText(await download(job.result.url as string));
  return rows;
}

/** Whether each output row names the directory person it should have matched. */
function matchedAsExpected(rows: string[][], people: readonly (string | undefined)[]): boolean {
  return rows.every((row, i) => {
    const id = people[i % people.length];
    return id === undefined ? !row.some((cell) => /^p-\d00$/.test(cell)) : row.includes(id);
  });
}

describe('one build per directory version for the fleet', () => {
  let workers: Worker[] = [];

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
  });

  it('two workers build once and store the artifact; a fresh worker loads it', async () => {
    workers = [startWorker(), startWorker()];
    const directoryId = await putDirectory(directoryCsv(ROBERT, MARGARET, JAN));
    const key = await artifactKeyOf(directoryId);

    const rows = await runJob(directoryId, 8);

    expect(matchedAsExpected(rows, ['p-100', 'p-200', 'p-300'])).toBe(true);
    expect(buildsOf(key)).toBe(1);
    expect(key).toMatch(
      new RegExp(
        `^directory-indexes/${TENANT_A.tenantId}/${directoryId}/[A-Za-z0-9-]+-[0-9a-f]{16}-v${INDEX_ARTIFACT_VERSION}\\.idx$`,
      ),
    );
    const artifact = await readObject(key);
    const pairs = await nicknameStore().loadPairs();
    const index = loadDirectoryIndexArtifact(artifact, { nicknames: createNicknameTable(pairs) });
    expect(index).toBeDefined();

    // Workers that never saw it: they load the artifact, nobody builds.
    await Promise.all(workers.map((w) => w.stop()));
    workers = [startWorker()];
    const again = await runJob(directoryId, 2);

    expect(matchedAsExpected(again, ['p-100', 'p-200', 'p-300'])).toBe(true);
    expect(buildsOf(key)).toBe(1);
  });

  it('a worker that finds a live build lease waits for the artifact instead of building', async () => {
    // A directory whose artifact exists, and a copy of it under another id.
    const csv = directoryCsv(MARGARET, JAN);
    const original = await putDirectory(csv);
    await runJob(original, 1);
    const artifact = await readObject(await artifactKeyOf(original));
    const copy = await putDirectory(csv);
    const key = await artifactKeyOf(copy);
    const leases = new DirectoryIndexLeases({
      client: harness.clients.dynamodb,
      table: harness.config.resources.jobsTable,
    });
    expect((await leases.claim(key, 'live-builder', 60_000)).claimed).toBe(true);
    const res = await request(harness.app)
      .post('/v1/jobs')
      .query({ fileName: 'crm.csv', directoryId: copy, chunkRows: '3' })
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(crm(2));
    await waitForJob(harness.app, res.body.id as string, { statuses: ['processing'] });

    // The "other worker" finishes: it writes the artifact, then gives its lease back.
    await harness.objects.put(key, artifact, 'application/octet-stream');
    expect(await leases.release(key, 'live-builder')).toBe(true);
    const job = await waitForJob(harness.app, res.body.id as string);

    expect(job.status).toBe('completed');
    expect(buildsOf(key)).toBe(0);
  });

  it('a builder that died leaves its lease: the next worker builds once it lapses', async () => {
    const directoryId = await putDirectory(directoryCsv(ROBERT, MARGARET));
    const key = await artifactKeyOf(directoryId);
    // What a SIGKILLed builder leaves behind: a lease nobody renews, and no artifact.
    const leases = new DirectoryIndexLeases({
      client: harness.clients.dynamodb,
      table: harness.config.resources.jobsTable,
    });
    const deadLeaseMs = LEASE_SECONDS * 1000;
    const deadUntil = Date.now() + deadLeaseMs;
    expect((await leases.claim(key, 'killed-builder', deadLeaseMs)).claimed).toBe(true);

    const rows = await runJob(directoryId, 2);

    expect(matchedAsExpected(rows, ['p-100', 'p-200', undefined])).toBe(true);
    const built = builds.filter((b) => b.key === key);
    expect(built).toHaveLength(1);
    expect(built[0]!.at).toBeGreaterThanOrEqual(deadUntil);
    expect(await harness.objects.head(key)).toBeDefined();
    // The dead holder's lease is gone for good: it can neither renew nor give it back.
    expect(await leases.renew(key, 'killed-builder', deadLeaseMs)).toBe(false);
  });

  it('a garbage artifact at the key is rebuilt (overwritten) and the job completes', async () => {
    const directoryId = await putDirectory(directoryCsv(JAN));
    const key = await artifactKeyOf(directoryId);
    await harness.objects.put(key, 'not an index artifact', 'application/octet-stream');

    const rows = await runJob(directoryId, 2);

    expect(matchedAsExpected(rows, [undefined, undefined, 'p-300'])).toBe(true);
    expect(buildsOf(key)).toBe(1);
    const pairs = await nicknameStore().loadPairs();
    expect(() =>
      loadDirectoryIndexArtifact(Uint8Array.from(Buffer.from('not an index artifact')), {
        nicknames: createNicknameTable(pairs),
      }),
    ).toThrow();
    const rebuilt = await readObject(key);
    expect(rebuilt.toString()).not.toBe('not an index artifact');
    expect(
      loadDirectoryIndexArtifact(rebuilt, { nicknames: createNicknameTable(pairs) }),
    ).toBeDefined();
  });

  it('a replaced directory is a new version: a new artifact, built once', async () => {
    const directoryId = await putDirectory(directoryCsv(ROBERT));
    const first = await artifactKeyOf(directoryId);
    expect(matchedAsExpected(await runJob(directoryId, 1), ['p-100', undefined, undefined])).toBe(
      true,
    );

    await putDirectory(directoryCsv(ROBERT, MARGARET), directoryId);
    const second = await artifactKeyOf(directoryId);
    const rows = await runJob(directoryId, 1);

    expect(second).not.toBe(first);
    expect(matchedAsExpected(rows, ['p-100', 'p-200', undefined])).toBe(true);
    expect([buildsOf(first), buildsOf(second)]).toEqual([1, 1]);
    expect(await harness.objects.head(second)).toBeDefined();
  });

  it('a directory accepted by the api is indexed before any job asks', async () => {
    const res = await request(harness.app)
      .post('/v1/directories')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(directoryCsv(ROBERT, JAN));
    expect(res.body.status).toBe('ready');
    const directoryId = res.body.id as string;
    const key = await artifactKeyOf(directoryId);

    await waitFor(
      async () => ((await harness.objects.head(key)) === undefined ? undefined : true),
      {
        what: 'the index artifact of the new directory',
      },
    );
    expect(buildsOf(key)).toBe(1);
    const rows = await runJob(directoryId, 1);

    expect(matchedAsExpected(rows, ['p-100', undefined, 'p-300'])).toBe(true);
    expect(buildsOf(key)).toBe(1);
  });
});
