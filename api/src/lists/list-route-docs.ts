import { v1Problems } from '../openapi/problem-responses.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { directoryViewSchema, jobViewSchema, listPageSchema } from '../openapi/schemas.ts';
import { listDirectoriesQuery, listJobsQuery } from './list-requests.ts';

const paging =
  'Newest first, a page at a time: pass `nextCursor` back as `cursor` (with the same filter) ' +
  'until it is null. A cursor altered, of another API key or of another filter is a 400 ' +
  '`cursor_invalid`.';

/** The OpenAPI description of list-routes.ts. */
export const listRouteDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/jobs',
    operationId: 'listJobs',
    tag: 'jobs',
    summary: 'The caller’s jobs, newest first',
    description: `${paging} With \`status\`, a page may hold fewer than \`limit\` jobs (even none) and still have a \`nextCursor\`.`,
    query: listJobsQuery,
    responses: {
      200: {
        description: 'A page of jobs, each as `GET /v1/jobs/{id}` shows it',
        content: { 'application/json': listPageSchema(jobViewSchema, 'JobPage') },
      },
      ...v1Problems(),
    },
  },
  {
    method: 'get',
    path: '/v1/directories',
    operationId: 'listDirectories',
    tag: 'directories',
    summary: 'The caller’s directories, newest first',
    description: paging,
    query: listDirectoriesQuery,
    responses: {
      200: {
        description: 'A page of directories',
        content: { 'application/json': listPageSchema(directoryViewSchema, 'DirectoryPage') },
      },
      ...v1Problems(),
    },
  },
];
