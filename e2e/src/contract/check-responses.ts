import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '@contacts/api';
import { CONTRACT_LOG_FILE_PREFIX, type RecordedResponse } from './response-recorder.ts';

/** One way the answers broke the document, with how many answers did. */
export interface ContractViolation {
  readonly where: string;
  readonly problem: string;
  readonly count: number;
}

type Json = Record<string, unknown>;

const DOCUMENT_ID = 'https://contract.invalid/openapi';
/** Static files of the web page (scripts, styles, images, fonts): files, not API operations. */
export const STATIC_ASSET = /\.(js|mjs|css|map|svg|png|ico|webp|woff2?|txt)$/i;

/**
 * Checks recorded answers against the OpenAPI document with an independent validator (ajv,
 * JSON Schema 2020-12): the route and method are described, the status is, the content type
 * is one the status lists, and a JSON body matches its schema. An unknown path is accepted only
 * as the API's own `route_not_found` 404.
 */
export class ContractChecker {
  readonly #document: OpenApiDocument;
  readonly #routes: { template: string; pattern: RegExp }[];
  readonly #ajv: Ajv2020;
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    this.#document = document;
    this.#routes = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`),
    }));
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.#ajv);
    // Schemas refer to '#/components/schemas/…': validate against a root that holds them.
    this.#ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
  }

  /** The violations of `records`, grouped; empty when every answer is described. */
  check(records: readonly RecordedResponse[]): ContractViolation[] {
    const found = new Map<string, ContractViolation>();
    for (const record of records) {
      const violation = this.#violation(record);
      if (violation === undefined) continue;
      const key = `${violation.where}\n${violation.problem}`;
      const seen = found.get(key);
      found.set(key, { ...violation, count: (seen?.count ?? 0) + 1 });
    }
    return [...found.values()];
  }

  /** Operations of the document no record reached (`GET /v1/jobs`), for a coverage note. */
  unexercised(records: readonly RecordedResponse[]): string[] {
    const reached = new Set(
      records.flatMap((r) => {
        const template = this.#templateOf(r.path);
        return template === undefined ? [] : [`${r.method.toLowerCase()} ${template}`];
      }),
    );
    return Object.entries(this.#document.paths).flatMap(([template, item]) =>
      Object.keys(item)
        .filter((method) => !reached.has(`${method} ${template}`))
        .map((method) => `${method.toUpperCase()} ${template}`),
    );
  }

  #violation(record: RecordedResponse): Omit<ContractViolation, 'count'> | undefined {
    const template = this.#templateOf(record.path);
    const method = record.method.toLowerCase();
    const operation =
      template === undefined
        ? undefined
        : (this.#document.paths[template]?.[method] as Json | undefined);
    if (operation === undefined) {
      if (isRouteNotFound(record)) return undefined;
      if (record.method === 'GET' && STATIC_ASSET.test(record.path)) return undefined;
      return {
        where: `${record.method} ${record.path}`,
        problem: `answered ${record.status}, but the document describes no such operation`,
      };
    }
    const where = `${record.method} ${template!} → ${record.status}`;
    const responses = operation.responses as Record<string, Json>;
    const response = responses[String(record.status)];
    if (response === undefined)
      return { where, problem: `status ${record.status} is not described` };
    const content = response.content as Record<string, Json> | undefined;
    const type = record.contentType.split(';')[0]!.trim().toLowerCase();
    if (content === undefined) {
      return record.body === '' ? undefined : { where, problem: 'a body where none is described' };
    }
    const media = content[type];
    if (media === undefined) {
      return {
        where,
        problem: `content type "${type}" is not among ${Object.keys(content).join(', ')}`,
      };
    }
    if (media.schema === undefined || record.truncated || !isJson(type)) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      return { where, problem: 'the body is not JSON' };
    }
    const validate = this.#validator(
      `${method} ${template!} ${record.status} ${type}`,
      media.schema as Json,
    );
    if (validate(body)) return undefined;
    const errors = (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    return { where, problem: `the body does not match its schema: ${errors.join('; ')}` };
  }

  #templateOf(path: string): string | undefined {
    return this.#routes.find((route) => route.pattern.test(path))?.template;
  }

  #validator(key: string, schema: Json): ValidateFunction {
    let validate = this.#validators.get(key);
    if (validate === undefined) {
      validate = this.#ajv.compile({
        $id: `${DOCUMENT_ID}/responses/${this.#validators.size}`,
        ...relinked(schema),
      });
      this.#validators.set(key, validate);
    }
    return validate;
  }
}

/** Points '#/components/…' at the registered document root, so ajv resolves it. */
function relinked(schema: Json): Json {
  return JSON.parse(
    JSON.stringify(schema).replace(/"#\/components\//g, `"${DOCUMENT_ID}#/components/`),
  ) as Json;
}

function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function isRouteNotFound(record: RecordedResponse): boolean {
  if (record.status !== 404) return false;
  try {
    return (JSON.parse(record.body) as { type?: unknown }).type === '/problems/route_not_found';
  } catch {
    return false;
  }
}

/** Every answer recorded under `dir` (all processes' files). */
export function readRecordedResponses(dir: string): RecordedResponse[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith(CONTRACT_LOG_FILE_PREFIX))
    .flatMap((name) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as RecordedResponse),
    );
}

/** Violations as lines a developer can act on. */
export function describeViolations(violations: readonly ContractViolation[]): string {
  return violations
    .map((v) => `${v.where}: ${v.problem}${v.count > 1 ? ` (${v.count} answers)` : ''}`)
    .join('\n');
}
