export { createWorker, type Worker, type WorkerDeps } from './worker.ts';
export { cachedEnricherProvider, type EnricherProvider } from './enricher-provider.ts';
export { QueueConsumer, type DeliveryContext, type MessageHandler } from './queue/consumer.ts';
export { parseCsvText } from './csv/parse-csv-text.ts';
