import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { z } from 'zod';
import {
  AppError,
  DependencyError,
  JobNotFoundError,
  JobStateConflictError,
  type Logger,
} from '@contacts/shared';

/** An error that maps to one HTTP answer; `code` becomes the problem type. */
export class HttpProblem extends AppError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    code: string,
    detail: string,
    options: {
      headers?: Record<string, string>;
      extensions?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(code, detail, { cause: options.cause });
    this.status = status;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Sends an RFC 9457 problem document. */
export function sendProblem(res: Response, problem: HttpProblem): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: `/problems/${problem.code}`,
      title: TITLES[problem.status] ?? 'Error',
      status: problem.status,
      detail: problem.message,
      ...problem.extensions,
    });
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpProblem(404, 'route_not_found', `no route for ${req.method} ${req.path}`));
};

/** The one place where errors become HTTP answers. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      const log = (req as { log?: Logger }).log ?? logger;
      log.error({ err: error }, 'request failed');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, problem);
  };
}

function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof z.ZodError) {
    const errors = error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    return new HttpProblem(400, 'validation_failed', 'the request is not valid', {
      extensions: { errors },
    });
  }
  if (error instanceof JobNotFoundError) return new HttpProblem(404, error.code, error.message);
  if (error instanceof JobStateConflictError)
    return new HttpProblem(409, error.code, error.message);
  if (error instanceof DependencyError) {
    return new HttpProblem(
      503,
      error.code,
      'a storage or queue service is unavailable; retry shortly',
      {
        headers: { 'Retry-After': '5' },
      },
    );
  }
  const bodyParserError = bodyParserProblem(error);
  if (bodyParserError) return bodyParserError;
  return new HttpProblem(500, 'internal_error', 'an unexpected error occurred');
}

/** Errors raised by express.json() carry `type` and `status`. */
function bodyParserProblem(error: unknown): HttpProblem | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  const type = error.type;
  if (type === 'entity.parse.failed')
    return new HttpProblem(400, 'json_invalid', 'the request body is not valid JSON');
  if (type === 'entity.too.large')
    return new HttpProblem(413, 'body_too_large', 'the JSON body is too large');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new HttpProblem(415, 'encoding_unsupported', 'the body encoding is not supported');
  }
  return undefined;
}
