export {
  contactFile,
  contactRow,
  CONTACT_HEADER,
  csvField,
  csvLine,
  seededRandom,
  usPhone,
} from './contacts.ts';
export {
  purgeQueues,
  queueDepth,
  startHarness,
  TENANT_A,
  TENANT_B,
  waitFor,
  type Harness,
  type WorkerOverrides,
} from './harness.ts';
export { audienceDirectoryCsv } from './audience-directory.ts';
export { ApiClient, isFinalView, type JobView } from './api-client.ts';
export {
  authHeader,
  createJob,
  download,
  getJob,
  submitCsv,
  waitForJob,
  type JobBody,
  type Tenant,
} from './app-requests.ts';
export { exitOf, spawnWorkerProcess, type WorkerProcessOptions } from './worker-process.ts';
export {
  killTally,
  runChaos,
  type ChaosOptions,
  type ChaosReport,
  type JobOutcome,
} from './chaos/chaos-run.ts';
export { type KillRecord } from './chaos/kill-controller.ts';
export {
  createStartableJob,
  probeApi,
  runOutage,
  type OutageReport,
  type ProbeResult,
} from './chaos/outage-drill.ts';
export { countByMessage, formatChaosReport, outageLogLines, repairsOf } from './chaos/report.ts';
export { checkOutput, writeRowFile, type OutputCheck } from './chaos/row-file.ts';
export { csvRecords } from './chaos/csv-records.ts';
export { WorkerPool, type WorkerLogEvent } from './chaos/worker-pool.ts';
export { openEventStream, type SseEvent, type SseStream } from './sse-client.ts';
export {
  WebhookReceiver,
  type ReceivedWebhook,
  type WebhookBehaviour,
} from './webhook-receiver.ts';
export { tallyRows, type RowTally } from './provider/row-tally.ts';
export {
  worldContacts,
  WORLD_CONTACT_HEADER,
  WORLD_ROW_ID,
  type WorldContactFile,
  type WorldContactsOptions,
} from './provider/world-contacts.ts';
