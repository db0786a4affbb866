export { buildPage, MAX_GZIPPED_BYTES, PAGE_DIR, WEB_ROOT, type BuiltPage } from './build-page.ts';
