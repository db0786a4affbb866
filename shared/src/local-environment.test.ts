import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectionHint,
  removeLocalEnvironment,
  toolEnvironment,
  writeLocalEnvironment,
} from './local-environment.ts';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-env-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const started = {
  env: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4567', AWS_REGION: 'us-east-1' },
  apiUrl: 'http://127.0.0.1:3000',
};

describe('toolEnvironment', () => {
  it('uses what a running npm start wrote, variables set by hand winning', () => {
    const dir = dataDir();
    writeLocalEnvironment(dir, started);
    const tool = toolEnvironment({ DATA_DIR: dir, AWS_REGION: 'eu-west-1' });
    expect(tool.source).toBe('npm start');
    expect(tool.apiUrl).toBe('http://127.0.0.1:3000');
    expect(tool.env).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4567',
      AWS_REGION: 'eu-west-1',
    });
  });

  it('keeps an environment that names endpoints as it is', () => {
    const dir = dataDir();
    writeLocalEnvironment(dir, started);
    const env = { DATA_DIR: dir, AWS_ENDPOINT_URL: 'http://elsewhere:4566' };
    expect(toolEnvironment(env)).toEqual({ env, source: 'environment' });
  });

  it('says which variables are missing when there is neither', () => {
    const dir = dataDir();
    writeLocalEnvironment(dir, started);
    removeLocalEnvironment(dir);
    const tool = toolEnvironment({ DATA_DIR: dir });
    expect(tool.source).toBe('none');
    const hint = connectionHint(tool, dir);
    for (const name of ['npm start', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID'])
      expect(hint).toContain(name);
  });
});
