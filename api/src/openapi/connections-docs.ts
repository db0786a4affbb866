import { z } from 'zod';
import { v1Problems } from './problem-responses.ts';
import type { RouteDoc } from './route-doc.ts';

/**
 * `POST /v1/connections` (Mailchimp sources), described from the architecture's contract: when
 * the route lands, replace these schemas with the ones its module exports.
 */
export const createConnectionBody = z
  .object({
    type: z.literal('mailchimp'),
    apiKey: z.string().min(1).describe('Stored encrypted; never returned'),
  })
  .strict();

const connection = z
  .object({
    id: z.string(),
    type: z.literal('mailchimp'),
    dataCenter: z.string().describe('The Mailchimp data center of the key (`us21`)'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Connection' });

export const connectionRouteDocs: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/connections',
    operationId: 'createConnection',
    tag: 'connections',
    summary: 'Connect a Mailchimp account (jobs may then read an audience)',
    body: { 'application/json': createConnectionBody },
    responses: {
      201: { description: 'Connected', content: { 'application/json': connection } },
      ...v1Problems(),
    },
  },
];
