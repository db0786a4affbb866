import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { TaskRole } from '@contacts/shared';

/**
 * The KMS key that seals tenants' connection secrets (Mailchimp API keys) by envelope
 * encryption: rotated yearly, kept when the stack goes (sealed secrets would not open again).
 */
export function createConnectionsKey(scope: Construct): kms.Key {
  return new kms.Key(scope, 'ConnectionsKey', {
    description: 'Seals connection secrets (envelope encryption of third-party API keys)',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
    pendingWindow: Duration.days(30),
  });
}

/**
 * What each role may do with the key: the api seals new secrets (GenerateDataKey) and never
 * opens one; the worker opens them (Decrypt) and never makes new ones.
 */
export const CONNECTION_KEY_ACTIONS: Record<TaskRole, readonly string[]> = {
  api: ['kms:GenerateDataKey'],
  worker: ['kms:Decrypt'],
};

export function grantConnectionSecrets(key: kms.IKey, role: iam.IGrantable, as: TaskRole): void {
  key.grant(role, ...CONNECTION_KEY_ACTIONS[as]);
}
