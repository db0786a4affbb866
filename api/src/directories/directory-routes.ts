import { Router } from 'express';
import { tenantOf } from '../http/auth.ts';
import { readCreateBody } from '../http/upload-body.ts';
import { createDirectoryBody, directoryIdParam } from '../jobs/job-requests.ts';
import type { DirectoryService } from './directory-service.ts';

export function directoryRoutes(service: DirectoryService): Router {
  const router = Router();

  router.post('/directories', async (req, res) => {
    const { tenantId } = tenantOf(res);
    const body = await readCreateBody(req, res);
    if (body.kind === 'json') {
      const { id, upload } = await service.create(tenantId, createDirectoryBody.parse(body.json));
      res
        .status(201)
        .location(`/v1/directories/${id}`)
        .json({ id, status: 'awaiting_upload', upload });
      return;
    }
    const directory = await service.upload(tenantId, body.file);
    res.status(201).location(`/v1/directories/${directory.id}`).json(directory);
  });

  router.get('/directories/:id', async (req, res) => {
    const { id } = directoryIdParam.parse(req.params);
    res.set('Cache-Control', 'no-store').json(await service.get(tenantOf(res).tenantId, id));
  });

  return router;
}
