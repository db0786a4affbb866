import { z } from 'zod';
import { connectionIdParam, createConnectionBody } from '../connections/connection-requests.ts';
import { v1Problems } from './problem-responses.ts';
import type { RouteDoc } from './route-doc.ts';

/** `/v1/connections` (Mailchimp sources), with the schemas the connection routes parse with. */
const connection = z
  .object({
    id: z.uuid(),
    type: z.literal('mailchimp'),
    dataCenter: z.string().describe('The Mailchimp data center of the key (`us21`)'),
    createdAt: z.iso.datetime(),
  })
  .describe('A connection as the API shows it: never the key')
  .meta({ id: 'Connection' });

export const connectionRouteDocs: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/connections',
    operationId: 'createConnection',
    tag: 'connections',
    summary: 'Connect a Mailchimp account (jobs may then read an audience)',
    description:
      'The key (`<key>-<dc>`) is checked with Mailchimp (`GET /3.0/ping`), sealed at rest and ' +
      'never returned or logged.',
    body: { 'application/json': createConnectionBody },
    responses: {
      201: {
        description: 'Connected',
        content: { 'application/json': connection },
        headers: { Location: 'The connection’s URL' },
      },
      ...v1Problems(),
    },
  },
  {
    method: 'get',
    path: '/v1/connections',
    operationId: 'listConnections',
    tag: 'connections',
    summary: 'The caller’s connections (never their keys)',
    responses: {
      200: {
        description: 'The connections',
        content: { 'application/json': z.object({ items: z.array(connection) }) },
      },
      ...v1Problems(),
    },
  },
  {
    method: 'delete',
    path: '/v1/connections/{id}',
    operationId: 'deleteConnection',
    tag: 'connections',
    summary: 'Remove a connection (its sealed key goes with it)',
    params: connectionIdParam,
    responses: {
      204: { description: 'Removed' },
      ...v1Problems(404),
    },
  },
];
