import type { JobSummary } from './job-store.ts';

export interface ResultLinks {
  /** Absent when the job failed for too many rejected rows: then only the rejects are linked. */
  readonly url?: string;
  readonly expiresAt: string;
  readonly rejectsUrl?: string;
}

/** The public shape of a job (HTTP contract). */
export function jobView(job: JobSummary, result?: ResultLinks): Record<string, unknown> {
  return {
    id: job.id,
    status: job.status,
    fileName: job.fileName,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    options: job.options,
    // Where the rows came from when not an upload: which connection and list (the key stays in
    // the connection store).
    ...(job.source === undefined
      ? {}
      : {
          source: {
            type: job.source.type,
            connectionId: job.source.connectionId,
            listId: job.source.listId,
            writeBack: job.source.writeBack,
            ...(job.sourceMembers === undefined ? {} : { members: job.sourceMembers }),
            // The fetch stage's progress: pages read from the audience so far, of all of them
            // (their enrichment starts once every page is fetched).
            ...(job.outputChunks === undefined
              ? {}
              : { pages: job.outputChunks, pagesFetched: job.pagesFetched ?? 0 }),
            // Pages that found the audience at another size than split pinned (docs/mailchimp.md).
            ...(job.sourceShifts ? { shiftedPages: job.sourceShifts } : {}),
          },
        }),
    // What split detected (absent until it ran): how the file was read.
    ...(job.encoding === undefined
      ? {}
      : {
          input: {
            encoding: job.encoding,
            delimiter: job.delimiter ?? null,
            lineEnding: job.lineEnding ?? null,
          },
        }),
    progress: {
      rowsTotal: job.rowsTotal ?? null,
      rowsProcessed: job.rowsProcessed,
      rowsRejected: job.rowsRejected,
      chunksTotal: job.chunksTotal ?? null,
      chunksDone: job.chunksDone,
    },
    // What the provider lookups of the counted chunks cost; a redelivered chunk counts once.
    ...(job.options.provider === undefined
      ? {}
      : {
          provider: {
            name: job.options.provider,
            requests: job.providerRequests ?? 0,
            recordsSent: job.providerRecordsSent ?? 0,
            matchesBilled: job.providerMatchesBilled ?? 0,
            cacheHits: job.providerCacheHits ?? 0,
          },
        }),
    // What went back to the audience, counted once per batch whatever its redeliveries.
    ...(job.source?.writeBack === true
      ? {
          writeBack: {
            membersWritten: job.writtenBack ?? 0,
            errors: job.writeBackErrors ?? 0,
          },
        }
      : {}),
    ...(result === undefined ? {} : { result }),
    ...(job.error === undefined ? {} : { error: job.error }),
  };
}
