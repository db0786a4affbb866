import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

function enrich(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--conditions=source', CLI, ...args], {
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run enrich', () => {
  it('prints its usage for --help', () => {
    const run = enrich('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run enrich -- --input FILE/);
  });

  it('names an unknown option and shows the usage, without a stack trace', () => {
    const run = enrich('--bogus');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("enrich: Unknown option '--bogus'");
    expect(run.stderr).toContain('usage: npm run enrich');
    expect(run.stderr).not.toContain('    at ');
  });

  it('says which option lacks its value', () => {
    const run = enrich('--input');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Option '--input <value>' argument missing");
  });
});
