import { z } from 'zod';
import { v1Problems } from '../openapi/problem-responses.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { createdJobSchema, jobViewSchema } from '../openapi/schemas.ts';
import {
  createJobBody,
  createSourceJobBody,
  directUploadQuery,
  jobIdParam,
} from './job-requests.ts';

const job = { 'application/json': jobViewSchema };
const multipartFile = z.object({ file: z.string().describe('The CSV file (the last field)') });

/** The OpenAPI description of job-routes.ts (one entry per route, in the same order). */
export const jobRouteDocs: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/jobs',
    operationId: 'createJob',
    tag: 'jobs',
    summary: 'Create a job: presigned upload (JSON) or the file itself (CSV, form)',
    description:
      'With a JSON body: answers 201 with the job, `awaiting_upload`, and `upload` instructions ' +
      '(presigned POST or PUT); upload the file, then `POST /v1/jobs/{id}/start`. With a ' +
      '`text/csv` body or a `multipart/form-data` field `file`: the API streams the file to ' +
      'storage and starts the job at once (202); the options then come as query parameters.',
    query: directUploadQuery,
    body: {
      'application/json': z.union([createJobBody, createSourceJobBody]),
      'text/csv': null,
      'multipart/form-data': multipartFile,
    },
    responses: {
      201: {
        description: 'Created, waiting for its upload (JSON body)',
        content: { 'application/json': createdJobSchema },
        headers: { Location: 'The job’s URL' },
      },
      202: {
        description:
          'Uploaded and queued (CSV or form body), or queued at once (a Mailchimp `source`)',
        content: job,
        headers: { Location: 'The job’s URL' },
      },
      ...v1Problems(
        [404, 'The Mailchimp `connectionId` is not one of this tenant’s (`connection_not_found`)'],
        [409, 'The directory named by `directoryId` is not uploaded or cannot be used'],
        413,
        415,
      ),
    },
  },
  {
    method: 'post',
    path: '/v1/jobs/{id}/start',
    operationId: 'startJob',
    tag: 'jobs',
    summary: 'Start a job whose file was uploaded with the presigned instructions',
    description: 'Repeating it while the job is `queued` is safe.',
    params: jobIdParam,
    responses: {
      202: { description: 'Queued', content: job },
      ...v1Problems(404, [409, 'The file is not uploaded yet, or the job is past this point'], 413),
    },
  },
  {
    method: 'post',
    path: '/v1/jobs/{id}/cancel',
    operationId: 'cancelJob',
    tag: 'jobs',
    summary: 'Cancel a job (safe to repeat)',
    params: jobIdParam,
    responses: {
      200: { description: 'Cancelled', content: job },
      ...v1Problems(404, [409, 'The job already completed or failed']),
    },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}',
    operationId: 'getJob',
    tag: 'jobs',
    summary: 'A job: status, progress, download links once done',
    params: jobIdParam,
    responses: {
      200: { description: 'The job', content: job },
      ...v1Problems(404),
    },
  },
];
