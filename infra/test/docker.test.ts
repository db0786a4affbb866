import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMPOSE_FILE,
  DOCKERFILES,
  lintComposeFile,
  lintDockerfile,
  lintDockerfileText,
} from '../scripts/docker-lint.ts';
import { repoPath } from '../src/repo-paths.ts';
import { lineage, parseDockerfile, type Stage } from './support/dockerfile.ts';

const DOCKERFILE = 'docker/Dockerfile';

/** The image targets, the workspace each runs and its entrypoint (as compiled by tsc -b). */
const IMAGES = [
  { target: 'api', workspace: 'api', entrypoint: 'api/dist/src/server.js' },
  { target: 'worker', workspace: 'worker', entrypoint: 'worker/dist/src/main.js' },
  { target: 'emulators', workspace: 'local', entrypoint: 'local/dist/src/start-emulators.js' },
] as const;

describe('lint:docker', () => {
  it('finds no problem in the Dockerfiles and the compose file', async () => {
    const problems = [
      ...(
        await Promise.all(DOCKERFILES.map((file) => lintDockerfile(repoPath(file), file)))
      ).flat(),
      ...(await lintComposeFile(repoPath(COMPOSE_FILE), COMPOSE_FILE)),
    ];
    expect(problems).toEqual([]);
  });

  it('reports a broken Dockerfile', () => {
    const problems = lintDockerfileText(
      'Dockerfile',
      'FROM node:24\nWORKDIR app\nCMD ["node"]\nCMD ["node"]\n',
    );
    expect(problems.map((p) => p.line)).toEqual(expect.arrayContaining([2, 3]));
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
  });

  it('reports a compose file that breaks the Compose schema', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'compose-lint-'));
    try {
      const path = join(directory, 'docker-compose.yml');
      await writeFile(
        path,
        'name: x\nservices:\n  api:\n    image: node:24.21.0\n    restart: sometimes\n    no_such_key: 1\n',
      );
      const problems = await lintComposeFile(path);
      expect(problems.map((p) => p.rule)).toContain('dclint/invalid-schema');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe(DOCKERFILE, () => {
  const { args, stages } = parseDockerfile(DOCKERFILE);
  const stage = (name: string): Stage => {
    const found = stages.find((s) => s.name === name);
    if (found === undefined) throw new Error(`no stage ${name}`);
    return found;
  };
  const instructions = (name: string, keyword: string): string[] =>
    lineage(stages, name).flatMap((s) =>
      s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args),
    );

  it('builds on a Node 24 slim image pinned to a patch version', () => {
    expect(args.NODE_IMAGE).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
    // Every stage starts from that image or from another stage of this file.
    const allowedBases = ['${NODE_IMAGE}', ...stages.map((s) => s.name)];
    for (const s of stages) expect(allowedBases).toContain(s.from);
  });

  it('installs from the lockfile and keeps dev dependencies out of the images', () => {
    const installs = stages.flatMap((s) =>
      s.instructions.filter((i) => i.keyword === 'RUN' && i.args.includes('npm ')),
    );
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install.args).toMatch(/^npm ci /);
    for (const image of IMAGES) {
      const deps = stage(`${image.target}-deps`);
      expect(deps.instructions.map((i) => i.args).join(' ')).toContain('--omit=dev');
    }
  });

  it.each(IMAGES)(
    'runs $target as a non-root user with node as PID 1 on compiled JavaScript',
    (image) => {
      const final = stage(image.target);
      expect(final.from).toBe('${NODE_IMAGE}');
      expect(instructions(image.target, 'USER').at(0)).toBe('node');
      const cmd = JSON.parse(instructions(image.target, 'CMD').at(0) ?? '[]') as string[];
      expect(cmd[0]).toBe('node');
      expect(cmd.at(-1)).toBe(image.entrypoint);
      expect(instructions(image.target, 'ENTRYPOINT')).toEqual([]);
      expect(instructions(image.target, 'ENV').join(' ')).toContain('NODE_ENV=production');
      // Only compiled output is copied from the build stage, never sources or the toolchain.
      const fromBuild = final.instructions.filter((i) => i.args.startsWith('--from=build'));
      for (const copy of fromBuild) expect(copy.args).toMatch(/\/dist /);
    },
  );

  it('gives the api image a health check on /healthz and the worker SIGTERM', () => {
    expect(instructions('api', 'HEALTHCHECK').join(' ')).toContain('/healthz');
    expect(instructions('worker', 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it.each(IMAGES)(
    'ships every workspace $target imports, with its production dependencies',
    (image) => {
      const needed = workspaceClosure(image.workspace);
      const final = stage(image.target);
      const copiedDist = final.instructions
        .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build'))
        .map((i) => /\/app\/([a-z]+)\/dist/.exec(i.args)?.[1]);
      expect(new Set(copiedDist)).toEqual(needed);
      const installed = stage(`${image.target}-deps`)
        .instructions.map((i) => i.args)
        .join(' ')
        .match(/--workspace=([a-z]+)/g)
        ?.map((flag) => flag.slice('--workspace='.length));
      expect(new Set(installed)).toEqual(needed);
    },
  );

  it('copies the manifest of every workspace, as npm ci needs them', () => {
    const workspaces = (
      JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { workspaces: string[] }
    ).workspaces;
    const copied = stage('manifests').instructions.map((i) => i.args);
    for (const workspace of workspaces) {
      expect(copied).toContain(`${workspace}/package.json ${workspace}/`);
    }
  });
});

describe('.dockerignore', () => {
  const lines = readFileSync(repoPath('.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('is an allow-list that keeps tests, dependencies, build output and data out', () => {
    expect(lines[0]).toBe('*');
    expect(lines).toEqual(
      expect.arrayContaining(['**/*.test.ts', '**/test', '**/node_modules', '**/dist', '**/.data']),
    );
    // Nothing re-included after the exclusions.
    const lastInclude = lines.findLastIndex((l) => l.startsWith('!'));
    expect(lines.indexOf('**/*.test.ts')).toBeGreaterThan(lastInclude);
  });

  it('lets in every path the Dockerfile copies from the context', () => {
    const { stages } = parseDockerfile(DOCKERFILE);
    const sources = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(' ').slice(0, -1));
    const included = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    for (const source of sources) {
      const allowed = included.some(
        (pattern) =>
          pattern === source || new RegExp(`^${pattern.replace('*', '[^/]+')}$`).test(source),
      );
      expect(allowed, source).toBe(true);
      expect(statSync(repoPath(source)).isFile() || statSync(repoPath(source)).isDirectory()).toBe(
        true,
      );
    }
  });
});

/** A workspace and every workspace its sources import, transitively (tests excluded). */
function workspaceClosure(workspace: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const imported of workspaceImports(name)) visit(imported);
  };
  visit(workspace);
  return seen;
}

function workspaceImports(workspace: string): Set<string> {
  const imports = new Set<string>();
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/from '@contacts\/([a-z]+)'/g)) {
          if (match[1] !== undefined) imports.add(match[1]);
        }
      }
    }
  };
  walk(repoPath(`${workspace}/src`));
  return imports;
}
