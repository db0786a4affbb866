export {
  contactFile,
  contactRow,
  CONTACT_HEADER,
  csvField,
  csvLine,
  seededRandom,
  usPhone,
} from './contacts.ts';
export { startHarness, TENANT_A, TENANT_B, waitFor, type Harness } from './harness.ts';
