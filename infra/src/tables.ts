import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { TableDefinition } from '@contacts/shared';

/**
 * An on-demand table with point-in-time recovery, the definition's TTL attribute and its
 * global secondary indexes (keys, plus the attributes a definition projects).
 */
export function createTable(
  scope: Construct,
  id: string,
  definition: TableDefinition,
): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
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
  for (const index of definition.indexes ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      ...(index.projected === undefined || index.projected.length === 0
        ? { projectionType: dynamodb.ProjectionType.KEYS_ONLY }
        : {
            projectionType: dynamodb.ProjectionType.INCLUDE,
            nonKeyAttributes: [...index.projected],
          }),
    });
  }
  return table;
}
