import express, { Router } from 'express';
import { tenantOf } from '../http/auth.ts';
import { createWebhookBody, webhookIdParam, type WebhookList } from './webhook-schemas.ts';
import type { WebhookService } from './webhook-service.ts';

export function webhookRoutes(service: WebhookService): Router {
  const router = Router();

  router.post('/webhooks', express.json({ limit: '16kb' }), async (req, res) => {
    const body = createWebhookBody.parse(req.body);
    const created = await service.create(tenantOf(res).tenantId, body);
    res
      .status(201)
      .location(`/v1/webhooks/${created.id}`)
      .set('Cache-Control', 'no-store')
      .json(created);
  });

  router.get('/webhooks', async (_req, res) => {
    const list: WebhookList = { items: await service.list(tenantOf(res).tenantId) };
    res.set('Cache-Control', 'no-store').json(list);
  });

  router.delete('/webhooks/:id', async (req, res) => {
    const { id } = webhookIdParam.parse(req.params);
    await service.delete(tenantOf(res).tenantId, id);
    res.status(204).end();
  });

  return router;
}
