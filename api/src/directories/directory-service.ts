import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { objectKeys, type ApiConfig, type ObjectStore } from '@contacts/shared';
import { HttpProblem } from '../http/problem.ts';
import type { CreateDirectoryBody } from '../jobs/job-requests.ts';
import {
  storeUpload,
  tooLargeProblem,
  type UploadInstructions,
  type UrlSigner,
} from '../jobs/uploads.ts';

export interface DirectoryView {
  readonly id: string;
  readonly status: 'ready';
  readonly sizeBytes: number;
  readonly updatedAt: string;
}

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

  /** A directory of this tenant; another tenant's, or one not uploaded yet, is 404. */
  async get(tenantId: string, id: string): Promise<DirectoryView> {
    const info = await this.#objects.head(objectKeys.directory({ tenantId, id }));
    if (!info) throw new HttpProblem(404, 'directory_not_found', `directory ${id} not found`);
    return { id, status: 'ready', sizeBytes: info.size, updatedAt: info.lastModified };
  }
}
