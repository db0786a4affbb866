import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBrokenLinks, headingSlugs } from '../scripts/markdown-links.ts';
import { repoPath } from '../src/repo-paths.ts';

describe('documentation links', () => {
  it('every relative link of README.md and docs/*.md reaches a file and heading', async () => {
    const docs = (await readdir(repoPath('docs')))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`);
    expect(docs.length).toBeGreaterThan(0);
    expect(findBrokenLinks(repoPath(''), ['README.md', ...docs])).toEqual([]);
  });

  it('reports a missing file, a missing heading, and ignores code and web links', async () => {
    const root = await mkdtemp(join(tmpdir(), 'links-'));
    try {
      await mkdir(join(root, 'docs'));
      await writeFile(join(root, 'docs', 'a.md'), '# Title\n\n## 9. Bench marks\n');
      await writeFile(
        join(root, 'README.md'),
        [
          '[ok](docs/a.md) [ok](docs/a.md#9-bench-marks) [ok](docs/) [web](https://example.com)',
          '[gone](docs/b.md) [no heading](docs/a.md#nope)',
          '`[in code](nowhere.md)`',
          '```',
          '[in a fence](nowhere.md)',
          '```',
        ].join('\n'),
      );
      expect(findBrokenLinks(root, ['README.md'])).toEqual([
        { file: 'README.md', line: 2, target: 'docs/b.md', reason: 'docs/b.md does not exist' },
        {
          file: 'README.md',
          line: 2,
          target: 'docs/a.md#nope',
          reason: 'docs/a.md has no heading #nope',
        },
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('makes GitHub heading anchors', () => {
    expect([
      ...headingSlugs('# The HTTP API\n## 2. Store the API keys\n## Load\n## Load\n'),
    ]).toEqual(['the-http-api', '2-store-the-api-keys', 'load', 'load-1']);
  });
});
