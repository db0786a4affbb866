import { fieldColumnName, NO_SOURCE_REASON } from '@contacts/enrichment';
import { parseCsvText } from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  download,
  startHarness,
  TENANT_A,
  TENANT_B,
  waitForJob,
  type Harness,
} from '../src/index.ts';

const auth = (tenant: { key: string }) => ({ Authorization: `Bearer ${tenant.key}` });
let harness: Harness;

const DIRECTORY = [
  'id,first_name,last_name,email,phone,company,title,city,updated_at',
  'p-100,Robert,Smith,robert.smith@example.com,+14155550132,Globex,CTO,San Francisco,2026-06-01',
  'p-200,Margaret,Okafor,maggie.okafor@example.org,+442079460958,Initech,Analyst,London,2026-05-01',
  'p-300,Jan,van der Berg,jan@vdberg.nl,+31201234567,Hooli,Designer,Amsterdam,2026-04-01',
].join('\n');

beforeAll(async () => {
  harness = await startHarness({ prefix: 'e2e-enrichment' });
  harness.startWorker();
});

afterAll(async () => {
  await harness.close();
});

async function uploadDirectory(): Promise<string> {
  const res = await request(harness.app)
    .post('/v1/directories')
    .set(auth(TENANT_A))
    .set('Content-Type', 'text/csv')
    .send(DIRECTORY);
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ status: 'ready', sizeBytes: Buffer.byteLength(DIRECTORY) });
  return res.body.id as string;
}

describe('jobs that name a directory are matched and labelled', () => {
  it('matches exact, nickname and stranger rows, labels fields and rejects unusable rows', async () => {
    const directoryId = await uploadDirectory();
    const contacts = [
      'First Name,Last Name,Email,Phone,Company,Notes',
      'Robert,Smith,ROBERT.SMITH@example.com,(415) 555-0132,Acme,first',
      'Maggie,Okafor,,+44 20 7946 0958,,second',
      'Zed,Nobody,zed@nowhere.test,,,third',
      ',,,,Some Co,fourth',
    ].join('\n');
    const res = await request(harness.app)
      .post(`/v1/jobs?fileName=crm.csv&directoryId=${directoryId}`)
      .set(auth(TENANT_A))
      .set('Content-Type', 'text/csv')
      .send(contacts);
    expect(res.status).toBe(202);
    expect(res.body.options.directoryId).toBe(directoryId);
    const job = await waitForJob(harness.app, res.body.id);
    expect(job.status).toBe('completed');
    expect(job.progress).toMatchObject({ rowsTotal: 4, rowsProcessed: 4, rowsRejected: 1 });

    const [header, ...rows] = await parseCsvText(await download(job.result.url));
    const column = (name: string) => header!.indexOf(name);
    const cell = (row: number, name: string) => rows[row]![column(name)];
    const field = (row: number, name: string, part?: 'status' | 'previous') =>
      cell(row, fieldColumnName(name, part));
    expect(header!.slice(0, 6)).toEqual([
      'First Name',
      'Last Name',
      'Email',
      'Phone',
      'Company',
      'Notes',
    ]);
    expect(rows.map((row) => row[5])).toEqual(['first', 'second', 'third', 'fourth']);

    expect(cell(0, 'match_id')).toBe('p-100');
    expect(['exact', 'fuzzy']).toContain(cell(0, 'match_status'));
    expect(field(0, 'company')).toBe('Globex');
    expect(field(0, 'company', 'status')).toBe('updated');
    expect(field(0, 'company', 'previous')).toBe('Acme');
    expect(field(0, 'email', 'status')).toBe('confirmed');
    // The same number in another format is a confirmation, not an update.
    expect(field(0, 'phone', 'status')).toBe('confirmed');
    expect(cell(0, 'match_score')).toMatch(/^[01]\.\d\d$/);

    expect(cell(1, 'match_id')).toBe('p-200');
    expect(cell(1, 'match_status')).toBe('nickname');
    expect(field(1, 'email')).toBe('maggie.okafor@example.org');
    expect(field(1, 'email', 'status')).toBe('new');

    expect(cell(2, 'match_status')).toBe('none');
    expect(cell(2, 'match_id')).toBe('');
    expect(cell(3, 'match_status')).toBe('rejected');
    expect(field(3, 'company', 'status')).toBe('rejected');
    const rejects = await download(job.result.rejectsUrl);
    expect(rejects).toMatch(/^row_number,reason\n4,/);
  });

  it('keeps directories per tenant and refuses jobs naming a missing directory', async () => {
    const directoryId = await uploadDirectory();
    expect(
      (await request(harness.app).get(`/v1/directories/${directoryId}`).set(auth(TENANT_A))).status,
    ).toBe(200);
    const other = await request(harness.app)
      .get(`/v1/directories/${directoryId}`)
      .set(auth(TENANT_B));
    expect(other.status).toBe(404);
    const borrowed = await request(harness.app)
      .post(`/v1/jobs?directoryId=${directoryId}`)
      .set(auth(TENANT_B))
      .set('Content-Type', 'text/csv')
      .send('Email\na@b.c\n');
    expect(borrowed.status).toBe(409);
    expect(borrowed.body.type).toBe('/problems/directory_missing');
  });

  it('fails a job whose file has no usable column, naming the headers it saw', async () => {
    const directoryId = await uploadDirectory();
    const res = await request(harness.app)
      .post(`/v1/jobs?directoryId=${directoryId}`)
      .set(auth(TENANT_A))
      .set('Content-Type', 'text/csv')
      .send('colour,size\nred,9\n');
    const job = await waitForJob(harness.app, res.body.id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('columns_unrecognized');
    expect(job.error.message).toMatch(/"colour", "size"/);
  });

  it('standardizes and validates jobs without a directory', async () => {
    const res = await request(harness.app)
      .post('/v1/jobs?fileName=plain.csv')
      .set(auth(TENANT_A))
      .set('Content-Type', 'text/csv')
      .send('Name,E-mail Address\n"SMITH, JOHN A",John.Smith@Example.com\n,\n');
    const job = await waitForJob(harness.app, res.body.id);
    expect(job.status).toBe('completed');
    expect(job.progress).toMatchObject({ rowsTotal: 2, rowsRejected: 1 });
    const [header, ...rows] = await parseCsvText(await download(job.result.url));
    const cell = (row: number, name: string) => rows[row]![header!.indexOf(name)];
    expect(cell(0, 'match_status')).toBe('none');
    expect(cell(0, 'match_reason')).toBe(NO_SOURCE_REASON);
    expect(cell(0, fieldColumnName('first_name'))).toBe('John');
    expect(cell(0, fieldColumnName('first_name', 'status'))).toBe('reformatted');
    expect(cell(0, fieldColumnName('last_name'))).toBe('Smith');
    // Lower-cased, so reformatted: valid, and no source could confirm it.
    expect(cell(0, fieldColumnName('email', 'status'))).toBe('reformatted');
    expect(cell(1, 'match_status')).toBe('rejected');
  });

  it('takes an explicit column mapping as a job option', async () => {
    const file = 'col_a,col_b,col_c\nAnn,Lee,ann@lee.test\n';
    const send = (query: string) =>
      request(harness.app)
        .post(`/v1/jobs?${query}`)
        .set(auth(TENANT_A))
        .set('Content-Type', 'text/csv')
        .send(file);
    const unmapped = await waitForJob(harness.app, (await send('fileName=a.csv')).body.id);
    expect(unmapped.error.code).toBe('columns_unrecognized');
    const mapping = encodeURIComponent(
      JSON.stringify({ first_name: 'col_a', last_name: 'col_b', email: 'col_c' }),
    );
    const mapped = await waitForJob(
      harness.app,
      (await send(`fileName=b.csv&columnMapping=${mapping}`)).body.id,
    );
    expect(mapped.status).toBe('completed');
    expect(mapped.options.columnMapping).toEqual({
      first_name: 'col_a',
      last_name: 'col_b',
      email: 'col_c',
    });
    const unknown = encodeURIComponent(JSON.stringify({ shoe_size: 'col_a' }));
    const wrong = await waitForJob(
      harness.app,
      (await send(`fileName=c.csv&columnMapping=${unknown}`)).body.id,
    );
    expect(wrong.error.code).toBe('column_mapping_invalid');
    const notJson = await send('fileName=d.csv&columnMapping=%7Bnope');
    expect(notJson.status).toBe(400);
  });
});

describe('output options: phone region and compact output', () => {
  it('takes region and output on both create paths, and refuses bad values with a problem', async () => {
    const json = await request(harness.app)
      .post('/v1/jobs')
      .set(auth(TENANT_A))
      .send({ fileName: 'a.csv', region: 'nl', output: 'compact' });
    expect(json.status).toBe(201);
    expect(json.body.options).toMatchObject({ region: 'NL', output: 'compact' });
    for (const body of [
      { fileName: 'a.csv', region: 'XX' },
      { fileName: 'a.csv', region: 'France' },
      { fileName: 'a.csv', output: 'short' },
    ]) {
      const bad = await request(harness.app).post('/v1/jobs').set(auth(TENANT_A)).send(body);
      expect(bad.status).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    }
    const badQuery = await request(harness.app)
      .post('/v1/jobs?region=ZZ')
      .set(auth(TENANT_A))
      .set('Content-Type', 'text/csv')
      .send('Name\nAnn Lee\n');
    expect(badQuery.status).toBe(400);
    expect(badQuery.headers['content-type']).toContain('application/problem+json');
  });

  it('reads national numbers in the job region and writes compact output in place', async () => {
    const directoryId = await uploadDirectory();
    const contacts = [
      'First Name,Last Name,Email,Phone',
      'Jan,van der Berg,,020 123 4567',
      'Maggie,Okafor,maggie.okafor@example.org,020 7946 0958',
    ].join('\n');
    const res = await request(harness.app)
      .post(`/v1/jobs?fileName=nl.csv&directoryId=${directoryId}&region=NL&output=compact`)
      .set(auth(TENANT_A))
      .set('Content-Type', 'text/csv')
      .send(contacts);
    expect(res.status).toBe(202);
    expect(res.body.options).toMatchObject({ region: 'NL', output: 'compact' });
    const job = await waitForJob(harness.app, res.body.id);
    expect(job.status).toBe('completed');
    const [header, ...rows] = await parseCsvText(await download(job.result.url));
    expect(header).toEqual([
      'First Name',
      'Last Name',
      'Email',
      'Phone',
      'match_status',
      'match_id',
      'match_source',
      'match_score',
      'match_reason',
      fieldColumnName('company'),
      fieldColumnName('title'),
      fieldColumnName('city'),
      fieldColumnName('street'),
      fieldColumnName('postcode'),
      fieldColumnName('state'),
      fieldColumnName('country'),
      fieldColumnName('birth_date'),
      'enriched_changes',
    ]);
    const cell = (row: number, name: string) => rows[row]![header!.indexOf(name)];
    expect(cell(0, 'match_id')).toBe('p-300');
    // The Dutch number in national format is the directory's number: confirmed, not updated.
    expect(cell(0, 'Phone')).toBe('+31201234567');
    expect(cell(0, 'Email')).toBe('jan@vdberg.nl');
    expect(cell(0, 'enriched_changes')).toContain('phone: confirmed (was 020 123 4567)');
    expect(cell(0, 'enriched_changes')).toContain('email: new');
    expect(cell(0, fieldColumnName('city'))).toBe('Amsterdam');
    // A British number in British national format is no Dutch number, but it is the
    // directory's British one: confirmed, written in E.164.
    expect(cell(1, 'match_id')).toBe('p-200');
    expect(cell(1, 'Phone')).toBe('+442079460958');
    expect(cell(1, 'enriched_changes')).toContain('phone: confirmed (was 020 7946 0958)');
  });
});

describe('directories are checked when they are uploaded', () => {
  it('marks an unusable directory failed with directory_invalid, and refuses jobs naming it', async () => {
    const upload = await request(harness.app)
      .post('/v1/directories')
      .set(auth(TENANT_A))
      .set('Content-Type', 'text/csv')
      .send('colour,size\nred,9\n');
    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({
      status: 'failed',
      error: { code: 'directory_invalid', message: expect.stringMatching(/"colour", "size"/) },
    });
    const directoryId = upload.body.id as string;
    const view = await request(harness.app)
      .get(`/v1/directories/${directoryId}`)
      .set(auth(TENANT_A));
    expect(view.body).toMatchObject({ status: 'failed', error: { code: 'directory_invalid' } });
    const job = await request(harness.app)
      .post(`/v1/jobs?directoryId=${directoryId}`)
      .set(auth(TENANT_A))
      .set('Content-Type', 'text/csv')
      .send('Email\na@b.co\n');
    expect(job.status).toBe(409);
    expect(job.body.type).toBe('/problems/directory_invalid');
    expect(job.body.detail).toMatch(/no id column/);
  });
});
