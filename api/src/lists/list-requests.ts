import { z } from 'zod';
import { JOB_STATUSES } from '@contacts/shared';

/** Items per page: 20 unless asked, at most 100 (one batch read of the views). */
export const pageLimit = z.coerce
  .number()
  .int('limit must be an integer')
  .min(1, 'limit must be between 1 and 100')
  .max(100, 'limit must be between 1 and 100')
  .default(20);

/** The `nextCursor` of the previous page, unchanged. */
export const pageCursor = z.string().min(1).max(1024);

/** Query of `GET /v1/jobs`. */
export const listJobsQuery = z
  .object({
    limit: pageLimit,
    cursor: pageCursor.optional(),
    status: z
      .enum(JOB_STATUSES, { message: `status is one of ${JOB_STATUSES.join(', ')}` })
      .optional(),
  })
  .strict();

/** Query of `GET /v1/directories`. */
export const listDirectoriesQuery = z
  .object({ limit: pageLimit, cursor: pageCursor.optional() })
  .strict();

export type ListJobsQuery = z.infer<typeof listJobsQuery>;
export type ListDirectoriesQuery = z.infer<typeof listDirectoriesQuery>;

/** A page of a listing as the API answers it (HTTP contract). */
export interface ListPage<T> {
  readonly items: readonly T[];
  /** Pass it as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}
