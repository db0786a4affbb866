import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import {
  DIRECTORY_INDEX_RETENTION_DAYS,
  KEY_AREAS,
  WORK_OBJECT_RETENTION_DAYS,
  type ResourceDefinitions,
} from '@contacts/shared';

export interface FilesBucketOptions {
  readonly definition: ResourceDefinitions['bucket'];
  readonly uploadRetentionDays: number;
  readonly resultRetentionDays: number;
}

/**
 * The one bucket for uploads, chunk parts and results: private, encrypted, TLS only, with the
 * browser-upload CORS of the shared definition and a lifecycle per key area.
 */
export function createFilesBucket(
  scope: Construct,
  id: string,
  options: FilesBucketOptions,
): s3.Bucket {
  return new s3.Bucket(scope, id, {
    // The definition's name (`<prefix>-files`) is not globally unique; CloudFormation picks one
    // and the tasks receive it as BUCKET_NAME.
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    cors: options.definition.cors.map((rule) => ({
      allowedMethods: rule.allowedMethods.map(toHttpMethod),
      allowedOrigins: [...rule.allowedOrigins],
      allowedHeaders: [...rule.allowedHeaders],
      exposedHeaders: [...rule.exposeHeaders],
      maxAge: rule.maxAgeSeconds,
    })),
    lifecycleRules: [
      // Merge deletes a job's parts; what is left (failed or stuck jobs) must outlive the DLQ
      // retention, or a redriven chunk or merge would find its job's parts gone.
      {
        id: 'expire-work',
        prefix: KEY_AREAS.work,
        expiration: Duration.days(WORK_OBJECT_RETENTION_DAYS),
      },
      {
        id: 'expire-uploads',
        prefix: KEY_AREAS.uploads,
        expiration: Duration.days(options.uploadRetentionDays),
      },
      {
        id: 'expire-results',
        prefix: KEY_AREAS.results,
        expiration: Duration.days(options.resultRetentionDays),
      },
      // directories/ never expires: a directory is kept until its tenant replaces it.
      // Index artifacts are derived: an expired one is built again by the next job needing it.
      {
        id: 'expire-directory-indexes',
        prefix: KEY_AREAS.directoryIndexes,
        expiration: Duration.days(DIRECTORY_INDEX_RETENTION_DAYS),
      },
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
  });
}

function toHttpMethod(method: string): s3.HttpMethods {
  const match = Object.values(s3.HttpMethods).find((known) => known.valueOf() === method);
  if (match === undefined) throw new Error(`unsupported CORS method ${method}`);
  return match;
}
