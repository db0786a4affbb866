import { Router } from 'express';
import type { DirectoryService } from '../directories/directory-service.ts';
import { tenantOf } from '../http/auth.ts';
import type { JobLister } from './job-lister.ts';
import { listDirectoriesQuery, listJobsQuery } from './list-requests.ts';

/** `GET /v1/jobs` and `GET /v1/directories`: a tenant's jobs and directories, newest first. */
export function listRoutes(deps: { jobs: JobLister; directories: DirectoryService }): Router {
  const router = Router();

  router.get('/jobs', async (req, res) => {
    const page = await deps.jobs.list(tenantOf(res).tenantId, listJobsQuery.parse(req.query));
    res.set('Cache-Control', 'no-store').json(page);
  });

  router.get('/directories', async (req, res) => {
    const query = listDirectoriesQuery.parse(req.query);
    const page = await deps.directories.list(tenantOf(res).tenantId, query);
    res.set('Cache-Control', 'no-store').json(page);
  });

  return router;
}
