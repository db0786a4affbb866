import express, { Router } from 'express';
import { tenantOf } from '../http/auth.ts';
import { connectionIdParam, createConnectionBody } from './connection-requests.ts';
import type { ConnectionService } from './connection-service.ts';

export function connectionRoutes(service: ConnectionService): Router {
  const router = Router();
  const json = express.json({ limit: '4kb' });

  router.post('/connections', json, async (req, res) => {
    const body = createConnectionBody.parse(req.body);
    const connection = await service.create(tenantOf(res).tenantId, body);
    res.status(201).location(`/v1/connections/${connection.id}`).json(connection);
  });

  router.get('/connections', async (_req, res) => {
    const items = await service.list(tenantOf(res).tenantId);
    res.set('Cache-Control', 'no-store').json({ items });
  });

  router.delete('/connections/:id', async (req, res) => {
    const { id } = connectionIdParam.parse(req.params);
    await service.delete(tenantOf(res).tenantId, id);
    res.status(204).end();
  });

  return router;
}
