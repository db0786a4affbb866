import { buildPage, MAX_GZIPPED_BYTES } from './build-page.ts';

/** `npm run build:web`: builds the page and prints what a browser downloads. */
const page = await buildPage();
for (const file of page.files)
  console.log(
    `${file.path.padEnd(32)} ${String(file.bytes).padStart(8)} B  ${String(file.gzipped).padStart(7)} B gzipped`,
  );
console.log(
  `page built in ${page.dir}: ${(page.gzippedTotal / 1024).toFixed(1)} KB gzipped (budget ${MAX_GZIPPED_BYTES / 1024} KB)`,
);
