import { z } from 'zod';
import { createDirectoryBody, directoryIdParam } from '../jobs/job-requests.ts';
import { v1Problems } from '../openapi/problem-responses.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { createdDirectorySchema, directoryViewSchema } from '../openapi/schemas.ts';

/** The OpenAPI description of directory-routes.ts. */
export const directoryRouteDocs: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/directories',
    operationId: 'createDirectory',
    tag: 'directories',
    summary: 'Upload a reference directory: presigned (JSON) or the CSV itself',
    body: {
      'application/json': createDirectoryBody,
      'text/csv': null,
      'multipart/form-data': z.object({ file: z.string().describe('The CSV file') }),
    },
    responses: {
      201: {
        description:
          'With JSON: the id and upload instructions; with the CSV: the stored directory',
        content: { 'application/json': z.union([createdDirectorySchema, directoryViewSchema]) },
        headers: { Location: 'The directory’s URL' },
      },
      ...v1Problems(413, 415),
    },
  },
  {
    method: 'get',
    path: '/v1/directories/{id}',
    operationId: 'getDirectory',
    tag: 'directories',
    summary: 'An uploaded directory',
    params: directoryIdParam,
    responses: {
      200: { description: 'The directory', content: { 'application/json': directoryViewSchema } },
      ...v1Problems([404, 'Not uploaded (yet), or another tenant’s']),
    },
  },
];
