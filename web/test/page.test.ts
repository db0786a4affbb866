import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvRecords, startHarness, TENANT_A, waitFor, type Harness } from '@contacts/e2e';
import { buildPage, MAX_GZIPPED_BYTES, WEB_ROOT, type BuiltPage } from '../build/index.ts';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Browser } from './chromium.ts';
import { pageFiles } from './page-files.ts';

/** Kept with the test output (gitignored); CI keeps .ci/out. */
const SCREENSHOTS = join(WEB_ROOT, '..', '.ci', 'out', 'screenshots');
const ROWS = 120;
const RAGGED = 3;

let harness: Harness;
let apiUrl: string;
let browser: Browser;
let built: BuiltPage;
let directoryId: string;
let workerStarted = false;
const files = pageFiles(ROWS, { ragged: RAGGED });

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  built = await buildPage({ quiet: true });
  // Several chunks per job, so progress moves in steps.
  harness = await startHarness({ prefix: 'web-page', env: { DEFAULT_CHUNK_ROWS: '20' } });
  apiUrl = await harness.listen();
  browser = await launchChromium();
  const res = await fetch(`${apiUrl}/v1/directories`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TENANT_A.key}`, 'Content-Type': 'text/csv' },
    body: files.directory,
  });
  directoryId = ((await res.json()) as { id: string }).id;
}, 120_000);

afterAll(async () => {
  await browser.close();
  await harness.close();
});

/** Opens the page, enters the key and picks a file, as a person would with the mouse. */
async function openWithFile(
  name: string,
  content: string,
): Promise<{ page: Page; errors: string[] }> {
  const opened = await browser.newPage();
  const { page } = opened;
  await page.goto(apiUrl);
  await page.getByLabel('API key').fill(TENANT_A.key);
  await page.getByLabel('API key').press('Tab');
  await page
    .getByLabel('CSV file')
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content) });
  await page.locator('#mapping-table select').first().waitFor();
  return opened;
}

/** After the cancel test, which needs jobs to wait in the queue. */
function startWorker(): void {
  if (workerStarted) return;
  harness.startWorker();
  workerStarted = true;
}

async function chooseDirectory(page: Page, id: string): Promise<void> {
  const field = page.getByLabel('Directory', { exact: true });
  if ((await field.evaluate((node) => node.tagName)) === 'SELECT') await field.selectOption(id);
  else await field.fill(id);
}

async function statusOf(page: Page, wanted: string): Promise<void> {
  await page.locator('#job-status', { hasText: wanted }).waitFor({ timeout: 60_000 });
}

function jobProgress(page: Page) {
  return page.getByRole('progressbar', { name: 'Enrichment' });
}

async function downloadText(page: Page, linkName: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: linkName, exact: true }).click(),
  ]);
  return readFileSync(await download.path(), 'utf8');
}

async function recordsOf(text: string): Promise<string[][]> {
  const records: string[][] = [];
  for await (const record of csvRecords([text])) records.push(record);
  return records;
}

describe('the web page', () => {
  it('is served by the API at / and its files stay under the size budget', async () => {
    const res = await fetch(apiUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Contact enricher</title>');
    // The page may send files to storage, and nowhere else but its own origin.
    expect(res.headers.get('content-security-policy')).toContain(
      `connect-src 'self' ${harness.emulators.s3SqsEndpoint}`,
    );
    expect(built.gzippedTotal).toBeGreaterThan(0);
    expect(built.gzippedTotal).toBeLessThan(MAX_GZIPPED_BYTES);
  });

  it('cancels a job that has not finished', async () => {
    // No worker runs yet, so the job waits in the queue until it is cancelled.
    const { page, errors } = await openWithFile('to-cancel.csv', files.contacts);
    await page.getByRole('button', { name: 'Upload and enrich' }).click();
    await statusOf(page, 'queued');
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await statusOf(page, 'cancelled');
    expect(await page.getByRole('button', { name: 'Cancel job' }).isHidden()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'cancelled-job.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sends a file over the emulator’s 11 MiB body limit through the API upload instead', async () => {
    // Still no worker: the job waits in the queue, and is cancelled before any chunk runs.
    const big = pageFiles(180_000).contacts;
    expect(Buffer.byteLength(big)).toBeGreaterThan(11 * 1024 * 1024);
    const { page, errors } = await openWithFile('big.csv', big);
    await page.getByRole('button', { name: 'Upload and enrich' }).click();
    await page.locator('#upload-text', { hasText: 'uploaded through the API' }).waitFor();
    await statusOf(page, 'queued');
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await statusOf(page, 'cancelled');
    // The one error is storage refusing the body, which is what sends the file the other way.
    expect(errors).toEqual([expect.stringMatching(/status of 413 .*\/web-page-/)]);
    await page.close();
  });

  it('runs the whole flow: key, file, mapping, upload, progress, summary chart, downloads', async () => {
    startWorker();
    const { page, errors } = await openWithFile('contacts.csv', files.contacts);
    // The first rows and the mapping recognized from the header, as the workers will read it.
    await expect(page.locator('#preview-table tbody tr').count()).resolves.toBe(5);
    const mapping = page.getByLabel('Field of column First Name');
    expect(await mapping.inputValue()).toBe('first_name');
    expect(await page.getByLabel('Field of column Email').inputValue()).toBe('email');
    expect(await page.getByLabel('Field of column Notes').inputValue()).toBe('');
    await chooseDirectory(page, directoryId);
    // Every value the enrichment progress bar takes, as a screen reader would hear it.
    await page.evaluate(() => {
      const bar = document.getElementById('job-progress')!;
      const seen: number[] = [];
      Object.assign(window, { progressSeen: seen });
      new MutationObserver(() => seen.push(Number(bar.getAttribute('aria-valuenow')))).observe(
        bar,
        {
          attributeFilter: ['aria-valuenow'],
        },
      );
    });
    await page.getByRole('button', { name: 'Upload and enrich' }).click();

    const upload = page.getByRole('progressbar', { name: 'Upload' });
    await page.locator('#upload-text', { hasText: 'uploaded straight to storage' }).waitFor();
    expect(await upload.getAttribute('aria-valuenow')).toBe('100');
    await statusOf(page, 'completed');
    expect(await jobProgress(page).getAttribute('aria-valuenow')).toBe('100');
    expect(await page.locator('#job-channel').innerText()).toBe('live (server-sent events)');
    const seen = await page.evaluate(
      () => (window as unknown as { progressSeen: number[] }).progressSeen,
    );
    expect(seen.at(-1)).toBe(100);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(await jobProgress(page).getAttribute('aria-valuetext')).toBe(
      `${ROWS + RAGGED} of ${ROWS + RAGGED} rows`,
    );

    // The summary: a chart and its tables, counted from the result.
    await page.locator('#summary svg[role="img"]').waitFor();
    const bars = await page.locator('#chart rect').count();
    expect(bars).toBeGreaterThan(3);
    const matchTable = page.locator('#summary-tables table', { hasText: 'Match status' });
    const shown = Object.fromEntries(
      (await matchTable.locator('tbody tr').allInnerTexts()).map((line) => {
        const [label = '', count = ''] = line.split('\t');
        return [label.trim(), Number(count)];
      }),
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'finished-job.png'), fullPage: true });

    // The result holds every row, and the chart counted it right.
    const [header = [], ...records] = await recordsOf(await downloadText(page, 'Download result'));
    expect(records).toHaveLength(ROWS + RAGGED);
    const statusAt = header.indexOf('match_status');
    const counted: Record<string, number> = {};
    for (const record of records) {
      const status = record[statusAt] ?? '';
      counted[status] = (counted[status] ?? 0) + 1;
    }
    expect(shown).toEqual(counted);
    expect(shown.rejected).toBe(RAGGED);
    // Every person the directory knows is found.
    expect(shown.exact).toBeGreaterThanOrEqual(ROWS / 3);
    const rejects = await downloadText(page, 'Download rejects');
    expect(rejects.trimEnd().split('\n')).toEqual([
      'row_number,reason',
      ...Array.from(
        { length: RAGGED },
        (_, i) => `${ROWS + i + 1},"row has 2 fields, header has 6"`,
      ),
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says in plain words why a job failed, and still links its rejects', async () => {
    startWorker();
    const { page, errors } = await openWithFile(
      'mostly-broken.csv',
      pageFiles(2, { ragged: 4 }).contacts,
    );
    // An edited mapping is sent as columnMapping (the API would refuse a malformed one).
    await page.getByLabel('Field of column Company').selectOption('');
    await page.getByLabel('Tolerated rejects (%)').fill('10');
    await page.getByRole('button', { name: 'Upload and enrich' }).click();
    await statusOf(page, 'failed');
    const listed = await fetch(`${apiUrl}/v1/jobs?limit=1`, {
      headers: { Authorization: `Bearer ${TENANT_A.key}` },
    });
    const [job] = ((await listed.json()) as { items: { options: unknown }[] }).items;
    expect(job?.options).toMatchObject({
      toleratedRejectPercent: 10,
      columnMapping: {
        first_name: 'First Name',
        last_name: 'Last Name',
        email: ['Email'],
        phone: ['Phone'],
      },
    });
    expect(job?.options).not.toHaveProperty('columnMapping.company');
    await expect(
      page.getByRole('alert').filter({ hasText: 'Too many rows were rejected' }).innerText(),
    ).resolves.toContain('the rejects file says why');
    expect(await page.getByRole('link', { name: 'Download result', exact: true }).isHidden()).toBe(
      true,
    );
    const rejects = await downloadText(page, 'Download rejects');
    expect(rejects.trimEnd().split('\n')).toHaveLength(5);
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-job.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('works by keyboard alone', async () => {
    startWorker();
    const { page, errors } = await browser.newPage();
    await page.goto(apiUrl);
    await page.bringToFront();
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('api-key');
    await page.keyboard.type(TENANT_A.key);
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('csv-file');
    // Space on the focused file input opens the file chooser (retried: a keypress that lands
    // before the page is ready to open one is dropped by chromium).
    const chooser = await waitFor(
      async () => {
        const opened = page.waitForEvent('filechooser', { timeout: 3_000 }).catch(() => undefined);
        await page.keyboard.press('Space');
        return opened;
      },
      { timeoutMs: 20_000, intervalMs: 0, what: 'the file chooser' },
    );
    await chooser.setFiles({
      name: 'keyboard.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(pageFiles(10).contacts),
    });
    await page.locator('#mapping-table select').first().waitFor();
    // Through the mapping and the options to the button, which Enter presses.
    await waitFor(
      async () => {
        await page.keyboard.press('Tab');
        return (await page.evaluate(() => document.activeElement?.id)) === 'submit'
          ? true
          : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 0, what: 'focus on the upload button' },
    );
    await page.keyboard.press('Enter');
    await statusOf(page, 'completed');
    await page.getByRole('link', { name: 'Download result', exact: true }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
