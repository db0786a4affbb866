import { chmod, readFile, writeFile } from 'node:fs/promises';
import { loadSeedNicknames } from '@contacts/enrichment';
import { nicknameItems } from '@contacts/shared';
import { INIT_HOOK_PATH, renderInitHook } from '../src/localstack-init-hook.ts';
import { localstackResources } from '../src/localstack-resources.ts';
import { repoPath } from '../src/repo-paths.ts';

/**
 * `npm run localstack:init` writes the LocalStack init hook from the resource definitions;
 * `npm run localstack:init -- --check` only reports (exit 1) when the committed hook is stale.
 */
async function main(): Promise<void> {
  const path = repoPath(INIT_HOOK_PATH);
  const expected = renderInitHook(localstackResources(), nicknameItems(await loadSeedNicknames()));
  if (process.argv.includes('--check')) {
    const actual = await readFile(path, 'utf8').catch(() => '');
    if (actual !== expected) {
      console.error(`${INIT_HOOK_PATH} is stale: run npm run localstack:init`);
      process.exitCode = 1;
    }
    return;
  }
  await writeFile(path, expected);
  // LocalStack only runs executable hooks.
  await chmod(path, 0o755);
  console.log(`wrote ${INIT_HOOK_PATH}`);
}

await main();
