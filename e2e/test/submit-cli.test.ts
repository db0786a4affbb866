import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TENANT_A, type Harness } from '../src/index.ts';

const SUBMIT = fileURLToPath(new URL('../../local/src/submit-cli.ts', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'submit-cli-'));
let harness: Harness;
let apiUrl: string;

beforeAll(async () => {
  harness = await startHarness({ prefix: 'e2e-submit-cli' });
  harness.startWorker();
  apiUrl = await harness.listen();
});

afterAll(async () => {
  await harness.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** Runs `npm run submit` (its entry point) from the working directory `cwd`. */
async function submit(
  args: readonly string[],
  cwd = workDir,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=source', SUBMIT, ...args], {
    cwd,
    // DATA_DIR points at an empty directory: no `npm start` file to find.
    env: { ...process.env, DATA_DIR: join(workDir, 'no-data'), LOG_LEVEL: 'silent' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('npm run submit', () => {
  it('explains itself with --help', async () => {
    const { code, stdout } = await submit(['--help']);
    expect(code).toBe(0);
    for (const option of ['--directory', '--provider', '--region', '--column-mapping'])
      expect(stdout).toContain(option);
    expect(stdout).toContain('--tolerated-reject-percent');
  });

  it('writes the result and the rejects next to the input, with the options sent', async () => {
    const inputDir = mkdtempSync(join(workDir, 'input-'));
    const input = join(inputDir, 'crm.csv');
    // The second data row has too few fields: rejected, and listed in the rejects file.
    const rows = [
      'Nom,Prénom,Mail',
      'Lee,Ann,ann.lee@example.com',
      'Okafor,Maggie',
      'Smith,Bob,b@x.io',
    ];
    writeFileSync(input, rows.join('\n'));
    const { code, stdout, stderr } = await submit(
      [
        input,
        '--api',
        apiUrl,
        '--key',
        TENANT_A.key,
        '--column-mapping',
        'Nom=last_name,Prénom=first_name,Mail=email',
        '--tolerated-reject-percent',
        '50',
      ],
      // Run from elsewhere: nothing may land in the working directory.
      workDir,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = join(inputDir, 'crm-enriched.csv');
    expect(stdout).toContain(`result written to ${result}`);
    expect(readFileSync(result, 'utf8').split('\n')[0]).toContain('match_status');
    const rejects = join(inputDir, 'crm-rejects.csv');
    expect(existsSync(rejects)).toBe(true);
    expect(readFileSync(rejects, 'utf8').trim().split('\n').length).toBeGreaterThan(1);
    expect(existsSync(join(workDir, 'crm-enriched.csv'))).toBe(false);
    const listed = await fetch(`${apiUrl}/v1/jobs?limit=1`, {
      headers: { Authorization: `Bearer ${TENANT_A.key}` },
    });
    const job = ((await listed.json()) as { items: Record<string, any>[] }).items[0]!;
    expect(job.options).toMatchObject({
      toleratedRejectPercent: 50,
      columnMapping: { last_name: 'Nom', first_name: 'Prénom', email: 'Mail' },
    });
  });

  it('says what the API refused, and when the API cannot be reached', async () => {
    const input = join(workDir, 'a.csv');
    writeFileSync(input, 'email\na@example.com\n');
    const refused = await submit([
      input,
      '--api',
      apiUrl,
      '--key',
      TENANT_A.key,
      '--chunk-rows',
      '0',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /the API refused .*a\.csv \(400\): the request is not valid \(chunkRows:/,
    );
    const unreachable = await submit([input, '--api', 'http://127.0.0.1:9', '--key', 'k']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach the API at http://127.0.0.1:9');
    const usage = await submit(['--colour', 'red']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: npm run submit');
  });
});
