import { Router } from 'express';
import { tenantOf } from '../http/auth.ts';
import { readCreateBody } from '../http/upload-body.ts';
import {
  createJobBody,
  createSourceJobBody,
  directUploadQuery,
  jobIdParam,
  namesSource,
} from './job-requests.ts';
import type { JobService } from './job-service.ts';

export function jobRoutes(service: JobService): Router {
  const router = Router();

  router.post('/jobs', async (req, res) => {
    const { tenantId } = tenantOf(res);
    const body = await readCreateBody(req, res);
    if (body.kind === 'json' && namesSource(body.json)) {
      const job = await service.createFromSource(tenantId, createSourceJobBody.parse(body.json));
      res
        .status(202)
        .location(`/v1/jobs/${job.id}`)
        .json(await service.view(job));
      return;
    }
    if (body.kind === 'json') {
      const { job, upload } = await service.create(tenantId, createJobBody.parse(body.json));
      res
        .status(201)
        .location(`/v1/jobs/${job.id}`)
        .json({ ...(await service.view(job)), upload });
      return;
    }
    const query = directUploadQuery.parse(req.query);
    const job = await service.uploadAndStart(tenantId, query, body.file);
    res
      .status(202)
      .location(`/v1/jobs/${job.id}`)
      .json(await service.view(job));
  });

  router.post('/jobs/:id/start', async (req, res) => {
    const { id } = jobIdParam.parse(req.params);
    const job = await service.start(tenantOf(res).tenantId, id);
    res.status(202).json(await service.view(job));
  });

  router.post('/jobs/:id/cancel', async (req, res) => {
    const { id } = jobIdParam.parse(req.params);
    const job = await service.cancel(tenantOf(res).tenantId, id);
    res.json(await service.view(job));
  });

  router.get('/jobs/:id', async (req, res) => {
    const { id } = jobIdParam.parse(req.params);
    const job = await service.get(tenantOf(res).tenantId, id);
    res.set('Cache-Control', 'no-store').json(await service.view(job));
  });

  return router;
}
