import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { API_VERSION, apiDocument } from '@contacts/api';
import { ContractChecker, describeViolations, readRecordedResponses } from './check-responses.ts';

/**
 * Vitest global setup of the integration tests: every harness app records its answers into
 * one directory, and at the end each answer is checked against the OpenAPI document (which is
 * itself validated against the OpenAPI 3.1 schema). An undocumented route, status or content
 * type, or a body that does not match its schema, fails the run.
 */
export default function setup(): () => Promise<void> {
  const given = process.env.API_CONTRACT_LOG_DIR;
  const dir = given ?? mkdtempSync(join(tmpdir(), 'api-contract-'));
  // Set before the test processes start, so they inherit it.
  process.env.API_CONTRACT_LOG_DIR = dir;
  return async () => {
    try {
      const records = readRecordedResponses(dir);
      if (records.length === 0) return;
      const document = apiDocument(API_VERSION);
      const validation = await new Validator().validate(
        JSON.parse(JSON.stringify(document)) as Record<string, unknown>,
      );
      const checker = new ContractChecker(document);
      const violations = checker.check(records);
      const failures = [
        ...(validation.valid
          ? []
          : [`the OpenAPI document is not valid 3.1: ${JSON.stringify(validation.errors)}`]),
        ...(violations.length === 0
          ? []
          : [
              `${violations.length} kind(s) of answers of the integration tests break the OpenAPI ` +
                `document (describe them in the route's …RouteDocs):\n${describeViolations(violations)}`,
            ]),
      ];
      if (failures.length > 0) {
        // Vitest logs an error thrown here but still exits 0: fail the run explicitly.
        process.exitCode = 1;
        throw new Error(failures.join('\n'));
      }
      const missing = checker.unexercised(records);
      if (missing.length > 0)
        console.info(
          `API contract: ${records.length} answers checked; no test reached ${missing.join(', ')}`,
        );
    } finally {
      if (given === undefined) rmSync(dir, { recursive: true, force: true });
    }
  };
}
