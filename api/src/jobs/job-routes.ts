import type { Readable } from 'node:stream';
import busboy from 'busboy';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Tenant } from '../http/auth.ts';
import { HttpProblem } from '../http/problem.ts';
import { createJobBody, directUploadQuery, jobIdParam } from './job-requests.ts';
import type { JobService } from './job-service.ts';

export function jobRoutes(service: JobService): Router {
  const router = Router();
  // JSON is parsed only on the create route, so file bodies on the same path stream untouched.
  const parseJson = express.json({ limit: '16kb' });

  router.post('/jobs', async (req, res) => {
    const tenant = tenantOf(res);
    if (req.is('application/json')) {
      await runMiddleware(parseJson, req, res);
      const { job, upload } = await service.create(tenant.tenantId, createJobBody.parse(req.body));
      res
        .status(201)
        .location(`/v1/jobs/${job.id}`)
        .json({ ...(await service.view(job)), upload });
      return;
    }
    const query = directUploadQuery.parse(req.query);
    const body = req.is('multipart/form-data') ? await fileFromForm(req) : csvBody(req);
    const job = await service.uploadAndStart(tenant.tenantId, query, body);
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

  router.get('/jobs/:id', async (req, res) => {
    const { id } = jobIdParam.parse(req.params);
    const job = await service.get(tenantOf(res).tenantId, id);
    res.set('Cache-Control', 'no-store').json(await service.view(job));
  });

  return router;
}

function runMiddleware(middleware: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void middleware(req, res, (error?: unknown) => {
      if (error === undefined) resolve();
      else
        reject(error instanceof Error ? error : new Error('middleware failed', { cause: error }));
    });
  });
}

function tenantOf(res: Response): Tenant {
  return res.locals.tenant as Tenant;
}

const CSV_TYPES = ['text/csv', 'text/plain', 'application/csv', 'application/octet-stream'];

function csvBody(req: Request): Readable {
  if (req.is(CSV_TYPES) === false || req.is(CSV_TYPES) === null) {
    throw new HttpProblem(
      415,
      'unsupported_media_type',
      'send JSON to create a job for a presigned upload, or the file as text/csv or multipart/form-data (field "file")',
    );
  }
  return req;
}

/** Streams the `file` field of a multipart form without buffering it. */
function fileFromForm(req: Request): Promise<Readable> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 1024 } });
    } catch (error) {
      reject(
        new HttpProblem(400, 'form_invalid', 'the multipart form is malformed', { cause: error }),
      );
      return;
    }
    let found = false;
    parser.on('file', (field, stream) => {
      if (field !== 'file' || found) {
        stream.resume();
        return;
      }
      found = true;
      resolve(stream);
    });
    parser.on('error', (error) => {
      reject(
        new HttpProblem(400, 'form_invalid', 'the multipart form is malformed', { cause: error }),
      );
    });
    parser.on('close', () => {
      if (!found) reject(new HttpProblem(400, 'file_missing', 'the form has no "file" field'));
    });
    req.pipe(parser);
  });
}
