import type { z } from 'zod';

/** One answer of an operation: its description and, per content type, the body's schema. */
export interface ResponseDoc {
  readonly description: string;
  /** Content type → body schema; `null` for a body that is not JSON (a stream, a CSV). */
  readonly content?: Readonly<Record<string, z.ZodType | null>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One route as the OpenAPI document describes it. Route modules keep an array of these beside
 * their routes; api-document.ts collects the arrays. `path` uses OpenAPI's `{id}` form.
 */
export interface RouteDoc {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** False for the public probes and documents; every `/v1` route needs the API key. */
  readonly authenticated?: boolean;
  /** Path parameters (a z.object whose keys are the `{names}` in `path`). */
  readonly params?: z.ZodObject;
  /** Query parameters (a z.object: optional keys, or keys with a default, are optional). */
  readonly query?: z.ZodObject;
  /** Request body per content type; `null` for a body that is not JSON (a CSV). */
  readonly body?: Readonly<Record<string, z.ZodType | null>>;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
}

/** A notification this API sends (OpenAPI 3.1 `webhooks`): a POST to the subscriber's URL. */
export interface WebhookDoc {
  /** The event name (`job.completed`). */
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  /** The JSON body delivered (what this API produces). */
  readonly body: z.ZodType;
  /** Request headers sent with each delivery, name → description. */
  readonly headers?: Readonly<Record<string, string>>;
}
