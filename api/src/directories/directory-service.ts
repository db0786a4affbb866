import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { KEY_AREAS, objectKeys, type ApiConfig, type ObjectStore } from '@contacts/shared';
import { HttpProblem } from '../http/problem.ts';
import type { CreateDirectoryBody } from '../jobs/job-requests.ts';
import { decodeCursor, encodeCursor } from '../lists/list-cursor.ts';
import type { ListDirectoriesQuery, ListPage } from '../lists/list-requests.ts';
import { checkDirectory, type DirectoryStatus } from './directory-status.ts';
import type { DirectoryIndexAnnouncer } from './index-announcer.ts';
import {
  storeUpload,
  tooLargeProblem,
  type UploadInstructions,
  type UrlSigner,
} from '../jobs/uploads.ts';

/** A directory: `ready` for jobs, or `failed` with `error` (`directory_invalid`) saying why. */
export type DirectoryView = {
  readonly id: string;
  readonly sizeBytes: number;
  readonly updatedAt: string;
} & DirectoryStatus;

/**
 * Directories one listing reads (10 S3 list calls): a tenant keeps a handful of reference
 * directories, and S3 lists by key, so newest-first needs them all in hand.
 */
export const MAX_LISTED_DIRECTORIES = 10_000;

const position = z
  .object({ updatedAt: z.iso.datetime(), id: z.uuid() })
  .strict()
  .transform(({ updatedAt, id }) => ({ updatedAt, id }));

/**
 * Reference directories (the third-party contact data jobs match against). A directory is one
 * CSV object under the tenant's prefix; its ETag is its version, so workers rebuild their
 * index when it changes. No table is needed: the object is the record.
 */
export class DirectoryService {
  readonly #objects: ObjectStore;
  readonly #signer: UrlSigner;
  readonly #config: ApiConfig;
  readonly #indexes: Pick<DirectoryIndexAnnouncer, 'announce'> | undefined;

  constructor(deps: {
    objects: ObjectStore;
    signer: UrlSigner;
    config: ApiConfig;
    /** Asks the workers to index a directory version once it is `ready`. */
    indexes?: Pick<DirectoryIndexAnnouncer, 'announce'>;
  }) {
    this.#objects = deps.objects;
    this.#signer = deps.signer;
    this.#config = deps.config;
    this.#indexes = deps.indexes;
  }

  /** A new directory id and the instructions to upload its CSV straight to S3. */
  async create(
    tenantId: string,
    request: CreateDirectoryBody,
  ): Promise<{ id: string; upload: UploadInstructions }> {
    const { maxUploadBytes, uploadUrlTtlSeconds } = this.#config;
    if (request.fileSize !== undefined && request.fileSize > maxUploadBytes)
      throw tooLargeProblem(maxUploadBytes);
    const id = randomUUID();
    const key = objectKeys.directory({ tenantId, id });
    const upload =
      request.uploadMethod === 'PUT'
        ? await this.#signer.presignedPut(key, uploadUrlTtlSeconds, request.fileSize)
        : await this.#signer.presignedPost(key, maxUploadBytes, uploadUrlTtlSeconds);
    return { id, upload };
  }

  /** Streams a directory CSV sent to the API into S3. */
  async upload(tenantId: string, body: Readable): Promise<DirectoryView> {
    const id = randomUUID();
    await storeUpload(
      this.#objects,
      objectKeys.directory({ tenantId, id }),
      body,
      this.#config.maxUploadBytes,
    );
    return this.get(tenantId, id);
  }

  /**
   * The tenant's uploaded directories, newest first (then by id), from an S3 listing of the
   * tenant's prefix: the objects are the records, so the list cannot disagree with them.
   */
  async list(tenantId: string, query: ListDirectoriesQuery): Promise<ListPage<DirectoryView>> {
    const scope = { tenantId, listing: 'directories' };
    const after =
      query.cursor === undefined ? undefined : decodeCursor(query.cursor, scope, position);
    const prefix = `${KEY_AREAS.directories}${tenantId}/`;
    const { objects } = await this.#objects.list(prefix, MAX_LISTED_DIRECTORIES);
    const all = objects
      .flatMap((object): DirectoryView[] => {
        const id = directoryIdOf(object.key, { tenantId });
        return id === undefined
          ? []
          : [
              {
                id,
                status: 'ready',
                sizeBytes: object.size,
                updatedAt: toSeconds(object.lastModified),
              },
            ];
      })
      .sort(newestFirst);
    const rest = after === undefined ? all : all.filter((d) => newestFirst(d, after) > 0);
    const items = rest.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rest.length > items.length && last !== undefined
          ? encodeCursor(scope, { updatedAt: last.updatedAt, id: last.id })
          : null,
    };
  }

  /**
   * A directory of this tenant, checked (header and sample rows) so a file no worker could use
   * is `failed`, never `ready`; another tenant's, or one not uploaded yet, is 404.
   */
  async get(tenantId: string, id: string): Promise<DirectoryView> {
    const key = objectKeys.directory({ tenantId, id });
    const info = await this.#objects.head(key);
    if (!info) throw new HttpProblem(404, 'directory_not_found', `directory ${id} not found`);
    const status = await checkDirectory(this.#objects, key, info);
    if (status.status === 'ready')
      await this.#indexes?.announce({ tenantId, directoryId: id, etag: info.etag });
    return { id, sizeBytes: info.size, updatedAt: info.lastModified, ...status };
  }
}

/** The directory id of a key of the tenant's directory layout; undefined for any other key. */
function directoryIdOf(key: string, ref: { tenantId: string }): string | undefined {
  const match = /^([^/]+)\/directory\.csv$/.exec(
    key.slice(`${KEY_AREAS.directories}${ref.tenantId}/`.length),
  );
  const id = match?.[1];
  return id !== undefined && objectKeys.directory({ tenantId: ref.tenantId, id }) === key
    ? id
    : undefined;
}

/** Newer first; equal times by id, descending, so the order is total and pages never overlap. */
function newestFirst(
  a: { updatedAt: string; id: string },
  b: { updatedAt: string; id: string },
): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

/** HEAD answers Last-Modified in whole seconds; a listing may add milliseconds. One view. */
function toSeconds(iso: string): string {
  return `${iso.slice(0, 19)}.000Z`;
}
