import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { HttpProblem } from './problem.ts';

export interface Tenant {
  readonly tenantId: string;
}

/** Tenant resolution from API keys; only SHA-256 digests of the keys are kept in memory. */
export class ApiKeyAuthenticator {
  readonly #keys: readonly { digest: Buffer; tenantId: string }[];

  constructor(keys: readonly { tenantId: string; key: string }[]) {
    this.#keys = keys.map(({ tenantId, key }) => ({ tenantId, digest: digest(key) }));
  }

  /** Compares against every key in constant time, so timing reveals neither key nor position. */
  tenantFor(presented: string): Tenant | undefined {
    const candidate = digest(presented);
    let match: string | undefined;
    for (const { digest: known, tenantId } of this.#keys) {
      if (timingSafeEqual(known, candidate)) match ??= tenantId;
    }
    return match === undefined ? undefined : { tenantId: match };
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const header = req.get('authorization') ?? '';
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const tenant = match?.[1] === undefined ? undefined : this.tenantFor(match[1]);
      if (!tenant) {
        next(
          new HttpProblem(
            401,
            'unauthorized',
            'send a valid API key as "Authorization: Bearer <key>"',
            {
              headers: { 'WWW-Authenticate': 'Bearer' },
            },
          ),
        );
        return;
      }
      res.locals.tenant = tenant;
      next();
    };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The tenant the auth middleware resolved for this request. */
export function tenantOf(res: Response): Tenant {
  return res.locals.tenant as Tenant;
}
