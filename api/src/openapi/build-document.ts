import { z } from 'zod';
import type { ResponseDoc, RouteDoc, WebhookDoc } from './route-doc.ts';

type JsonSchema = Record<string, unknown>;

/** The parts of an OpenAPI 3.1 document this builder writes. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { title: string; version: string; description: string };
  readonly jsonSchemaDialect: string;
  readonly servers: readonly { url: string }[];
  readonly tags: readonly { name: string; description?: string }[];
  readonly paths: Record<string, Record<string, unknown>>;
  readonly webhooks?: Record<string, Record<string, unknown>>;
  readonly components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, unknown>;
  };
}

export const SECURITY_SCHEME = 'apiKey';
const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/**
 * Builds an OpenAPI 3.1 document from route descriptions. Schemas come from zod 4's own
 * JSON Schema generator (draft 2020-12, OpenAPI 3.1's dialect): request parts as the input
 * they accept, responses as the output they produce. Schemas named with `meta({ id })` become
 * components.
 */
export function buildDocument(options: {
  info: OpenApiDocument['info'];
  tags: OpenApiDocument['tags'];
  routes: readonly RouteDoc[];
  webhooks?: readonly WebhookDoc[];
}): OpenApiDocument {
  const components = new ComponentSet();
  const paths: OpenApiDocument['paths'] = {};
  for (const route of options.routes) {
    const item = (paths[route.path] ??= {});
    if (item[route.method] !== undefined)
      throw new Error(`${route.method.toUpperCase()} ${route.path} is described twice`);
    item[route.method] = operation(route, components);
  }
  const webhooks = Object.fromEntries(
    (options.webhooks ?? []).map((hook) => [hook.name, { post: delivery(hook, components) }]),
  );
  return {
    openapi: '3.1.0',
    info: options.info,
    jsonSchemaDialect: DIALECT,
    servers: [{ url: '/' }],
    tags: options.tags,
    paths,
    ...(Object.keys(webhooks).length === 0 ? {} : { webhooks }),
    components: {
      schemas: components.schemas,
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key as `Authorization: Bearer <key>`. Keys map to tenants (API_KEYS); ' +
            '`npm start` prints the local one.',
        },
      },
    },
  };
}

function operation(route: RouteDoc, components: ComponentSet): Record<string, unknown> {
  const parameters = [
    ...parametersOf(route.params, 'path', components),
    ...parametersOf(route.query, 'query', components),
  ];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [route.tag],
    ...(route.authenticated === false
      ? { security: [] }
      : { security: [{ [SECURITY_SCHEME]: [] }] }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.body === undefined
      ? {}
      : { requestBody: { required: true, content: contentOf(route.body, 'input', components) } }),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, response]) => [
        status,
        responseOf(response, components),
      ]),
    ),
  };
}

/** A delivery as the subscriber receives it: our body (as we produce it), its headers. */
function delivery(hook: WebhookDoc, components: ComponentSet): Record<string, unknown> {
  return {
    operationId: `webhook-${hook.name}`,
    summary: hook.summary,
    ...(hook.description === undefined ? {} : { description: hook.description }),
    tags: ['webhooks'],
    ...(hook.headers === undefined
      ? {}
      : {
          parameters: Object.entries(hook.headers).map(([name, description]) => ({
            name,
            in: 'header',
            required: true,
            description,
            schema: { type: 'string' },
          })),
        }),
    requestBody: {
      required: true,
      content: { 'application/json': { schema: components.convert(hook.body, 'output') } },
    },
    responses: {
      '2XX': { description: 'Delivered' },
      '410': { description: 'Gone: the endpoint is disabled, no more deliveries' },
      default: { description: 'Retried later, with backoff, for a bounded time' },
    },
  };
}

function parametersOf(
  object: z.ZodObject | undefined,
  where: 'path' | 'query',
  components: ComponentSet,
): Record<string, unknown>[] {
  if (object === undefined) return [];
  return Object.entries(object.shape).map(([name, schema]) => {
    const field = schema as z.ZodType;
    const json = components.convert(field, 'input');
    const { description, ...rest } = json;
    return {
      name,
      in: where,
      // A key that accepts undefined (optional, or with a default) may be left out.
      required: where === 'path' || !field.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function responseOf(response: ResponseDoc, components: ComponentSet): Record<string, unknown> {
  return {
    description: response.description,
    ...(response.headers === undefined
      ? {}
      : {
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, description]) => [
              name,
              { description, schema: { type: 'string' } },
            ]),
          ),
        }),
    ...(response.content === undefined
      ? {}
      : { content: contentOf(response.content, 'output', components) }),
  };
}

function contentOf(
  content: Readonly<Record<string, z.ZodType | null>>,
  io: 'input' | 'output',
  components: ComponentSet,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(content).map(([type, schema]) => [
      type,
      schema === null ? {} : { schema: components.convert(schema, io) },
    ]),
  );
}

/** Converts schemas, moving named ones (`meta({ id })`) into `components.schemas`. */
class ComponentSet {
  readonly schemas: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      // Transforms (a JSON string parsed into an object) describe what they accept.
      unrepresentable: 'any',
    }) as JsonSchema;
    const { $schema: _dialect, $defs, ...rest } = json;
    // Inputs and outputs of one named schema differ (defaults, strictness): one component each.
    const rename = (id: string): string => (io === 'input' ? `${id}Input` : id);
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      const name = rename(id);
      const moved = relink(definition, rename);
      const existing = this.schemas[name];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(moved))
        throw new Error(`two different schemas are named ${name}`);
      this.schemas[name] = moved;
    }
    return relink(rest, rename);
  }
}

/** Points `#/$defs/X` references at `#/components/schemas/X`. */
function relink(schema: JsonSchema, rename: (id: string) => string): JsonSchema {
  return JSON.parse(
    JSON.stringify(schema).replace(
      /"#\/\$defs\/([^"]+)"/g,
      (_match, id: string) => `"#/components/schemas/${rename(id)}"`,
    ),
  ) as JsonSchema;
}
