import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { CONFIG_DOCS_PATH, ENV_DOCS, renderConfigDocs } from './config-docs.ts';

const docsFile = fileURLToPath(new URL(`../../${CONFIG_DOCS_PATH}`, import.meta.url));

describe('the configuration reference', () => {
  it('is what the schema generates (run `npm run docs:config` after changing the schema)', async () => {
    const expected = await format(renderConfigDocs(), {
      ...(await resolveConfig(docsFile)),
      filepath: docsFile,
    });
    const committed = await readFile(docsFile, 'utf8').catch(() => '(missing)');
    expect(
      committed === expected,
      `${CONFIG_DOCS_PATH} is out of date with shared/src/config.ts: run \`npm run docs:config\``,
    ).toBe(true);
  });

  it('lists every variable with the default the processes use', () => {
    const text = renderConfigDocs();
    for (const name of Object.keys(ENV_DOCS)) expect(text).toContain(`| \`${name}\` |`);
    const config = loadConfig({});
    expect(text).toContain(
      `| \`CHUNK_CONCURRENCY\` | \`${config.worker.chunkConcurrency}\` | integer, 1–64 |`,
    );
    expect(text).toContain('| `PROVISION_RESOURCES` | `false` |');
    expect(text).toContain('| `LOG_LEVEL` | `info` | `fatal`, `error`, `warn`, `info`');
  });
});
