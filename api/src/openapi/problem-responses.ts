import { problemSchema } from './schemas.ts';
import type { ResponseDoc } from './route-doc.ts';

export const PROBLEM_TYPE = 'application/problem+json';

const WHEN: Record<number, string> = {
  400: 'The request is not valid (`validation_failed` lists the fields)',
  401: 'No valid API key (`unauthorized`)',
  404: 'Not found, or another tenant’s',
  409: 'The resource is not in a state that allows this',
  413: 'The file or body is larger than this service accepts',
  415: 'The body has a content type this route does not take',
  429: 'Too many requests for this API key; retry after `Retry-After` seconds',
  500: 'An unexpected error (`internal_error`)',
  503: 'A storage or queue service is unavailable; retry after `Retry-After` seconds',
};

/** Problem answers (RFC 9457) for `statuses`; a description may be given per status. */
export function problems(...statuses: (number | [number, string])[]): Record<number, ResponseDoc> {
  return Object.fromEntries(
    statuses.map((entry) => {
      const [status, description] = Array.isArray(entry) ? entry : [entry, WHEN[entry] ?? 'Error'];
      return [
        status,
        {
          description,
          content: { [PROBLEM_TYPE]: problemSchema },
          ...(status === 429 || status === 503
            ? { headers: { 'Retry-After': 'Seconds to wait before retrying' } }
            : {}),
        },
      ];
    }),
  );
}

/** What any `/v1` route may answer besides its own: no key, rate limited, failures. */
export function v1Problems(...own: (number | [number, string])[]): Record<number, ResponseDoc> {
  return problems(400, 401, ...own, 429, 500, 503);
}
