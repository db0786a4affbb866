import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DependencyError, recordPresignedPost, type ObjectStore } from '@contacts/shared';
import { HttpProblem } from '../http/problem.ts';

export interface UploadInstructions {
  readonly method: 'POST' | 'PUT';
  readonly url: string;
  readonly fields?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly expiresAt: string;
}

export const CSV_CONTENT_TYPE = 'text/csv';

/** Signs URLs handed to clients: uploads to one exact key, downloads of one result. */
export class UrlSigner {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #now: () => number;

  constructor(options: { s3: S3Client; bucket: string; now?: () => number }) {
    this.#s3 = options.s3;
    this.#bucket = options.bucket;
    this.#now = options.now ?? Date.now;
  }

  /** A browser-style POST whose policy pins the key, the content type and the size range. */
  async presignedPost(
    key: string,
    maxBytes: number,
    ttlSeconds: number,
  ): Promise<UploadInstructions> {
    const post = await signing(`an upload to ${key}`, () =>
      createPresignedPost(this.#s3, {
        Bucket: this.#bucket,
        Key: key,
        Conditions: [
          ['content-length-range', 1, maxBytes],
          ['eq', '$Content-Type', CSV_CONTENT_TYPE],
        ],
        Fields: { 'Content-Type': CSV_CONTENT_TYPE },
        Expires: ttlSeconds,
      }),
    );
    // A POST policy is signed without an SDK command, so no client middleware sees it.
    recordPresignedPost(this.#s3, this.#bucket, key);
    return {
      method: 'POST',
      url: post.url,
      fields: post.fields,
      expiresAt: this.#expiry(ttlSeconds),
    };
  }

  /** A PUT to one key; when the size is known it is signed too, so S3 refuses any other. */
  async presignedPut(key: string, ttlSeconds: number, size?: number): Promise<UploadInstructions> {
    const command = new PutObjectCommand({
      Bucket: this.#bucket,
      Key: key,
      ContentType: CSV_CONTENT_TYPE,
      ...(size === undefined ? {} : { ContentLength: size }),
    });
    const signableHeaders = new Set([
      'content-type',
      ...(size === undefined ? [] : ['content-length']),
    ]);
    const url = await signing(`an upload to ${key}`, () =>
      getSignedUrl(this.#s3, command, { expiresIn: ttlSeconds, signableHeaders }),
    );
    return {
      method: 'PUT',
      url,
      headers: {
        'Content-Type': CSV_CONTENT_TYPE,
        ...(size === undefined ? {} : { 'Content-Length': String(size) }),
      },
      expiresAt: this.#expiry(ttlSeconds),
    };
  }

  async download(key: string, downloadName: string, ttlSeconds: number): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.#bucket,
      Key: key,
      ResponseContentDisposition: `attachment; filename="${downloadName.replace(/["\\]/g, '_')}"`,
      ResponseContentType: 'text/csv; charset=utf-8',
    });
    return signing(`a download of ${key}`, () =>
      getSignedUrl(this.#s3, command, { expiresIn: ttlSeconds }),
    );
  }

  expiresAt(ttlSeconds: number): string {
    return this.#expiry(ttlSeconds);
  }

  #expiry(ttlSeconds: number): string {
    return new Date(this.#now() + ttlSeconds * 1000).toISOString();
  }
}

/**
 * Signing reads credentials, which on AWS come from the task role's endpoint: when that fails
 * it is a dependency outage (503, retry later), not a bug (500).
 */
async function signing<T>(what: string, sign: () => Promise<T>): Promise<T> {
  try {
    return await sign();
  } catch (error) {
    throw new DependencyError(`signing ${what} failed`, { cause: error });
  }
}

/** Raised by `limitBytes` when a stream goes over its limit. */
export class TooLargeError extends Error {
  readonly limit: number;

  constructor(limit: number) {
    super(`the file is larger than the limit of ${limit} bytes`);
    this.limit = limit;
  }
}

/** Passes bytes through and fails as soon as more than `limit` have gone by. */
export function limitBytes(source: Readable, limit: number): Transform & { bytes: () => number } {
  let seen = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) callback(new TooLargeError(limit));
      else callback(null, chunk);
    },
  });
  source.on('error', (error) => transform.destroy(error));
  source.pipe(transform);
  return Object.assign(transform, { bytes: () => seen });
}

/**
 * Streams a request body into one S3 object (multipart, constant memory), refusing it with a
 * 413 problem that names the limit as soon as it grows past `limit` bytes. Returns its size and
 * the ETag of the object written.
 */
export async function storeUpload(
  objects: ObjectStore,
  key: string,
  body: Readable,
  limit: number,
): Promise<{ size: number; etag: string }> {
  const limited = limitBytes(body, limit);
  try {
    const { etag } = await objects.upload(key, limited);
    return { size: limited.bytes(), etag };
  } catch (error) {
    if (error instanceof TooLargeError || causeIs(error, TooLargeError))
      throw tooLargeProblem(limit);
    throw error;
  }
}

export function tooLargeProblem(limit: number): HttpProblem {
  return new HttpProblem(
    413,
    'file_too_large',
    `the file is larger than the limit of ${limit} bytes`,
    {
      extensions: { limitBytes: limit },
    },
  );
}

function causeIs(error: unknown, type: abstract new (...args: never[]) => Error): boolean {
  let current: unknown = error;
  while (current instanceof Error) {
    if (current instanceof type) return true;
    current = (current as Error).cause;
  }
  return false;
}
