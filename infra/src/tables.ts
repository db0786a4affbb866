import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { TableDefinition } from '@contacts/shared';

/** An on-demand table with point-in-time recovery and the definition's TTL attribute. */
export function createTable(
  scope: Construct,
  id: string,
  definition: TableDefinition,
): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    tableName: definition.name,
    partitionKey: { name: definition.partitionKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.DEFAULT,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(definition.ttlAttribute === undefined
      ? {}
      : { timeToLiveAttribute: definition.ttlAttribute }),
  });
}
