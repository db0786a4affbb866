import { z } from 'zod';
import type { JobListing, JobSummary } from '@contacts/shared';
import { decodeCursor, encodeCursor } from './list-cursor.ts';
import type { ListJobsQuery, ListPage } from './list-requests.ts';

const position = z
  .object({ id: z.uuid(), createdAt: z.iso.datetime() })
  .strict()
  .transform(({ id, createdAt }) => ({ id, createdAt }));

/** `GET /v1/jobs`: a tenant's jobs, newest first, each in the same view as `GET /v1/jobs/{id}`. */
export class JobLister {
  readonly #listing: JobListing;
  readonly #view: (job: JobSummary) => Promise<Record<string, unknown>>;

  constructor(deps: {
    listing: JobListing;
    view: (job: JobSummary) => Promise<Record<string, unknown>>;
  }) {
    this.#listing = deps.listing;
    this.#view = deps.view;
  }

  async list(tenantId: string, query: ListJobsQuery): Promise<ListPage<Record<string, unknown>>> {
    // The filter is part of the cursor's scope: a cursor continues the query that issued it.
    const scope = { tenantId, listing: `jobs:${query.status ?? '*'}` };
    const after =
      query.cursor === undefined ? undefined : decodeCursor(query.cursor, scope, position);
    const page = await this.#listing.page({
      tenantId,
      limit: query.limit,
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(after === undefined ? {} : { after }),
    });
    return {
      items: await Promise.all(page.jobs.map((job) => this.#view(job))),
      nextCursor: page.next === undefined ? null : encodeCursor(scope, page.next),
    };
  }
}
