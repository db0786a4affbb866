export { createApp, type AppDeps } from './app.ts';
export { createReadinessProbe, type ReadinessReport } from './http/readiness.ts';
export { JobService, type ConnectionLookup, type JobServiceDeps } from './jobs/job-service.ts';
export { UrlSigner } from './jobs/uploads.ts';
export { createAppDeps } from './app-deps.ts';
export { DirectoryService, type DirectoryView } from './directories/directory-service.ts';
