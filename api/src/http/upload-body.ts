import type { Readable } from 'node:stream';
import busboy from 'busboy';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { HttpProblem } from './problem.ts';

// JSON is parsed only on create routes, so file bodies on the same paths stream untouched.
const parseJson = express.json({ limit: '16kb' });

/**
 * What a create request carries: JSON options (presigned upload flow), or the file itself as
 * a text/csv body or the `file` field of a multipart form, as a stream.
 */
export type CreateRequestBody = { kind: 'json'; json: unknown } | { kind: 'file'; file: Readable };

export async function readCreateBody(req: Request, res: Response): Promise<CreateRequestBody> {
  if (req.is('application/json')) {
    await runMiddleware(parseJson, req, res);
    return { kind: 'json', json: req.body };
  }
  return {
    kind: 'file',
    file: req.is('multipart/form-data') ? await fileFromForm(req) : csvBody(req),
  };
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
