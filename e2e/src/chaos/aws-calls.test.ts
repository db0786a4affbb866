import { describe, expect, it } from 'vitest';
import { describeCall, isProcessingTransition, stageOf } from './aws-calls.ts';

const UPDATE_ITEM = { 'x-amz-target': 'DynamoDB_20120810.UpdateItem' };

function updateItem(expression: string, values: Record<string, unknown>): string {
  return JSON.stringify({
    TableName: 'jobs',
    Key: { id: { S: 'job-1' } },
    UpdateExpression: expression,
    ExpressionAttributeNames: {
      '#updatedAt': 'updatedAt',
      '#status': 'status',
      '#chunksTotal': 'chunksTotal',
      '#leaseHolder': 'leaseHolder',
    },
    ExpressionAttributeValues: values,
  });
}

describe('describeCall', () => {
  it("reads what split's last write sets, and marks it as the kill point before the merge", () => {
    const call = describeCall(
      'POST',
      '/',
      UPDATE_ITEM,
      updateItem('SET #updatedAt = :v0, #chunksTotal = :v1, #status = :v2 REMOVE #leaseHolder', {
        ':v0': { S: '2026-01-01T00:00:00.000Z' },
        ':v1': { N: '100' },
        ':v2': { S: 'processing' },
      }),
    );
    expect(call).toMatchObject({
      service: 'dynamodb',
      operation: 'UpdateItem',
      key: 'job-1',
      sets: { status: 'processing', chunksTotal: '100' },
    });
    expect(isProcessingTransition(call)).toBe(true);
    expect(stageOf(call, 'response')).toBe('processing-merge');
  });

  it('does not take other job writes for it', () => {
    const claim = describeCall(
      'POST',
      '/',
      UPDATE_ITEM,
      updateItem('SET #updatedAt = :v0, #status = :v1', {
        ':v0': { S: '2026-01-01T00:00:00.000Z' },
        ':v1': { S: 'merging' },
      }),
    );
    expect(stageOf(claim, 'response')).toBeUndefined();
    expect(stageOf(describeCall('POST', '/', UPDATE_ITEM), 'response')).toBeUndefined();
  });
});
