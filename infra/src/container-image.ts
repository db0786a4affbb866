import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';

const ECR_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)(?::([^@]+))?(?:@(sha256:[0-9a-f]{64}))?$/;

/**
 * An image given by URI. Images in a private ECR repository get pull permissions on the task's
 * execution role; anything else (a public registry) is pulled as is. Nothing is built here.
 */
export function containerImageFrom(scope: Construct, id: string, uri: string): ecs.ContainerImage {
  const match = ECR_URI.exec(uri);
  if (match === null) return ecs.ContainerImage.fromRegistry(uri);
  const [, account, region, repositoryName, tag, digest] = match;
  if (account === undefined || region === undefined || repositoryName === undefined) {
    return ecs.ContainerImage.fromRegistry(uri);
  }
  const repository = ecr.Repository.fromRepositoryAttributes(scope, id, {
    repositoryName,
    repositoryArn: `arn:aws:ecr:${region}:${account}:repository/${repositoryName}`,
  });
  return ecs.ContainerImage.fromEcrRepository(repository, digest ?? tag ?? 'latest');
}
