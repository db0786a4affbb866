import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { objectKeys, type ApiConfig, type ObjectStore } from '@contacts/shared';
import { HttpProblem } from '../http/problem.ts';
import type { CreateDirectoryBody } from '../jobs/job-requests.ts';
import { checkDirectory, type DirectoryStatus } from './directory-status.ts';
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
 * Reference directories (the third-party contact data jobs match against). A directory is one
 * CSV object under the tenant's prefix; its ETag is its version, so workers rebuild their
 * index when it changes. No table is needed: the object is the record.
 */
export class DirectoryService {
  readonly #objects: ObjectStore;
  readonly #signer: UrlSigner;
  readonly #config: ApiConfig;

  constructor(deps: { objects: ObjectStore; signer: UrlSigner; config: ApiConfig }) {
    this.#objects = deps.objects;
    this.#signer = deps.signer;
    this.#config = deps.config;
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
   * A directory of this tenant, checked (header and sample rows) so a file no worker could use
   * is `failed`, never `ready`; another tenant's, or one not uploaded yet, is 404.
   */
  async get(tenantId: string, id: string): Promise<DirectoryView> {
    const key = objectKeys.directory({ tenantId, id });
    const info = await this.#objects.head(key);
    if (!info) throw new HttpProblem(404, 'directory_not_found', `directory ${id} not found`);
    const status = await checkDirectory(this.#objects, key, info);
    return { id, sizeBytes: info.size, updatedAt: info.lastModified, ...status };
  }
}
