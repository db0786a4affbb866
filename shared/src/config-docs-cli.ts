import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CONFIG_DOCS_PATH, renderConfigDocs } from './config-docs.ts';

/**
 * `npm run docs:config`: writes docs/configuration.md from the config schema. The npm script
 * runs Prettier on it afterwards, as the drift test does before comparing.
 */
const target = fileURLToPath(new URL(`../../${CONFIG_DOCS_PATH}`, import.meta.url));
await mkdir(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
await writeFile(target, renderConfigDocs());
console.log(`wrote ${CONFIG_DOCS_PATH}`);
