import type { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { AppError, awsErrorName, awsHttpStatus, DependencyError } from '../errors.ts';

/** S3 multipart parts must be at least 5 MiB (except the last); larger parts mean fewer calls. */
export const MULTIPART_PART_BYTES = 8 * 1024 * 1024;

export interface ObjectInfo {
  readonly size: number;
  /** Changes whenever the content does: a cache key for derived data. */
  readonly etag: string;
  readonly lastModified: string;
}

/** Read options: `ifMatch` pins the read to one version of the object (its ETag). */
export interface ReadOptions {
  readonly ifMatch?: string | undefined;
}

/**
 * The object no longer has the ETag a read was pinned to: it was overwritten since that ETag
 * was recorded (S3 answered 412 Precondition Failed to If-Match). Retrying cannot help.
 */
export class ObjectChangedError extends AppError {
  readonly key: string;

  constructor(key: string, options?: { cause?: unknown }) {
    super('object_changed', `${key} changed since its ETag was recorded`, options);
    this.key = key;
  }
}

/** The object operations the service needs, over one bucket. */
export class ObjectStore {
  readonly #s3: S3Client;
  readonly #bucket: string;

  constructor(options: { s3: S3Client; bucket: string }) {
    this.#s3 = options.s3;
    this.#bucket = options.bucket;
  }

  get bucket(): string {
    return this.#bucket;
  }

  /** Streams bytes [start, end) of an object; ObjectChangedError when `ifMatch` no longer holds. */
  async readRange(
    key: string,
    start: number,
    end: number,
    options: ReadOptions = {},
  ): Promise<Readable> {
    return this.#get(key, { range: `bytes=${start}-${end - 1}`, ifMatch: options.ifMatch });
  }

  /** Streams an object; ObjectChangedError when `ifMatch` no longer holds. */
  async read(key: string, options: ReadOptions = {}): Promise<Readable> {
    return this.#get(key, { ifMatch: options.ifMatch });
  }

  /** Like `read`, but `undefined` when the object does not exist. */
  async readIfExists(key: string): Promise<Readable | undefined> {
    try {
      return await this.#get(key);
    } catch (error) {
      if (isNotFound(error instanceof DependencyError ? error.cause : error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const output = await this.#s3.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return {
        size: output.ContentLength ?? 0,
        etag: output.ETag ?? '',
        lastModified: (output.LastModified ?? new Date(0)).toISOString(),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new DependencyError(`S3 head of ${key} failed`, { cause: error });
    }
  }

  async put(
    key: string,
    body: string | Uint8Array,
    contentType = 'text/csv; charset=utf-8',
  ): Promise<void> {
    try {
      await this.#s3.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
        }),
      );
    } catch (error) {
      throw new DependencyError(`S3 put of ${key} failed`, { cause: error });
    }
  }

  /**
   * Streams `body` into `key` as a multipart upload: memory stays at a few parts whatever the
   * size, and small writes are combined into parts of MULTIPART_PART_BYTES. Returns the ETag of
   * the object written, so a reader can pin that very version.
   */
  async upload(
    key: string,
    body: Readable,
    options: { contentType?: string; signal?: AbortSignal } = {},
  ): Promise<{ etag: string }> {
    const upload = new Upload({
      client: this.#s3,
      params: {
        Bucket: this.#bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType ?? 'text/csv; charset=utf-8',
      },
      partSize: MULTIPART_PART_BYTES,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const abort = (): void => {
      void upload.abort();
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    let etag: string | undefined;
    try {
      ({ ETag: etag } = await upload.done());
    } catch (error) {
      throw new DependencyError(`S3 upload of ${key} failed`, { cause: error });
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
    // S3 always answers with the ETag (of the put, or of the completed multipart upload).
    if (etag === undefined) throw new DependencyError(`S3 upload of ${key} returned no ETag`);
    return { etag };
  }

  /** Deletes up to 1,000 objects in one call; keys that do not exist are no error. */
  async deleteKeys(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const output = await this.#s3
      .send(
        new DeleteObjectsCommand({
          Bucket: this.#bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      )
      .catch((error: unknown) => {
        throw new DependencyError(`S3 delete of ${keys.length} objects failed`, { cause: error });
      });
    // A batch delete answers 200 and lists the keys it could not delete.
    const failed = (output.Errors ?? []).map((e) => `${e.Key ?? '?'} (${e.Code ?? 'error'})`);
    if (failed.length > 0) {
      throw new DependencyError(
        `S3 could not delete ${failed.length} objects: ${failed.join(', ')}`,
      );
    }
  }

  /**
   * The objects under `prefix` (key, size, last change), in key order, reading at most
   * `maxKeys`; `truncated` when more exist.
   */
  async list(
    prefix: string,
    maxKeys: number,
  ): Promise<{ objects: (ObjectInfo & { key: string })[]; truncated: boolean }> {
    const objects: (ObjectInfo & { key: string })[] = [];
    let token: string | undefined;
    do {
      const page = await this.#s3
        .send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            ContinuationToken: token,
            MaxKeys: Math.min(1000, maxKeys - objects.length),
          }),
        )
        .catch((error: unknown) => {
          throw new DependencyError(`S3 listing of ${prefix} failed`, { cause: error });
        });
      for (const entry of page.Contents ?? []) {
        if (entry.Key === undefined) continue;
        objects.push({
          key: entry.Key,
          size: entry.Size ?? 0,
          etag: entry.ETag ?? '',
          lastModified: (entry.LastModified ?? new Date(0)).toISOString(),
        });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined && objects.length < maxKeys);
    return { objects, truncated: token !== undefined };
  }

  /** Deletes every object under `prefix`; returns how many. */
  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.#s3
        .send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            ContinuationToken: token,
          }),
        )
        .catch((error: unknown) => {
          throw new DependencyError(`S3 listing of ${prefix} failed`, { cause: error });
        });
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
      await this.deleteKeys(keys);
      deleted += keys.length;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return deleted;
  }

  async #get(
    key: string,
    options: { range?: string; ifMatch?: string | undefined } = {},
  ): Promise<Readable> {
    try {
      const output = await this.#s3.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          ...(options.range === undefined ? {} : { Range: options.range }),
          ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
        }),
      );
      return output.Body as Readable;
    } catch (error) {
      if (options.ifMatch !== undefined && isPreconditionFailed(error))
        throw new ObjectChangedError(key, { cause: error });
      throw new DependencyError(`S3 get of ${key} failed`, { cause: error });
    }
  }
}

function isPreconditionFailed(error: unknown): boolean {
  return awsErrorName(error) === 'PreconditionFailed' || awsHttpStatus(error) === 412;
}

export function isNotFound(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'NoSuchKey' || name === 'NotFound' || awsHttpStatus(error) === 404;
}
