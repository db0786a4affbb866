import { describe, expect, it } from 'vitest';
import { DependencyError, isUnreachable } from './errors.ts';

function sdkError(name: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(name), { name, ...fields });
}

describe('isUnreachable', () => {
  it('is true for network errors and timeouts, also when wrapped', () => {
    const refused = sdkError('Error', { code: 'ECONNREFUSED', $metadata: { attempts: 4 } });
    expect(isUnreachable(refused)).toBe(true);
    expect(isUnreachable(new DependencyError('S3 put failed', { cause: refused }))).toBe(true);
    expect(isUnreachable(sdkError('TimeoutError', { $metadata: {} }))).toBe(true);
    expect(isUnreachable(sdkError('InternalError', { $metadata: { httpStatusCode: 503 } }))).toBe(
      true,
    );
  });

  it('is false when the dependency answered no, and for errors of our own', () => {
    const denied = sdkError('AccessDenied', { $metadata: { httpStatusCode: 403 } });
    expect(isUnreachable(new DependencyError('S3 get failed', { cause: denied }))).toBe(false);
    expect(isUnreachable(new TypeError('x is undefined'))).toBe(false);
    expect(isUnreachable('a string')).toBe(false);
  });
});
