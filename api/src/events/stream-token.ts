import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a stream token grants: reading one job's events, as one tenant, until `expiresAt`. */
export interface StreamGrant {
  readonly tenantId: string;
  readonly jobId: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

const PREFIX = 'v1';

/**
 * Short-lived tokens for `GET /v1/jobs/{id}/events?token=…`: a browser's EventSource cannot send
 * an Authorization header, and an API key in a URL would end up in histories and proxy logs.
 * The HMAC key is derived from the configured API keys, so every API task verifies what any
 * other minted (no sticky sessions, no new secret to distribute) and changing API_KEYS revokes
 * every outstanding token.
 */
export class StreamTokens {
  readonly #key: Buffer;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(options: {
    apiKeys: readonly { readonly tenantId: string; readonly key: string }[];
    ttlSeconds: number;
    now?: () => number;
  }) {
    const material = options.apiKeys
      .map(({ tenantId, key }) => `${tenantId}:${key}`)
      .sort()
      .join('\n');
    this.#key = createHmac('sha256', 'contacts/event-stream-token/v1').update(material).digest();
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now ?? Date.now;
  }

  /** A token for one job of one tenant. */
  mint(tenantId: string, jobId: string): { token: string; expiresAt: string } {
    const expiresAt = Math.floor(this.#now() / 1000) + this.#ttlSeconds;
    const payload = Buffer.from(JSON.stringify({ t: tenantId, j: jobId, e: expiresAt })).toString(
      'base64url',
    );
    return {
      token: `${PREFIX}.${payload}.${this.#sign(payload)}`,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
  }

  /** The grant of a valid, unexpired token; undefined for anything else. */
  verify(token: string): StreamGrant | undefined {
    const [prefix, payload, signature, ...rest] = token.split('.');
    if (prefix !== PREFIX || payload === undefined || signature === undefined || rest.length > 0)
      return undefined;
    const expected = Buffer.from(this.#sign(payload));
    const presented = Buffer.from(signature);
    if (expected.length !== presented.length || !timingSafeEqual(expected, presented))
      return undefined;
    const grant = parseGrant(payload);
    if (grant === undefined || grant.expiresAt * 1000 <= this.#now()) return undefined;
    return grant;
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest('base64url');
  }
}

function parseGrant(payload: string): StreamGrant | undefined {
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { t, j, e } = value as Record<string, unknown>;
    if (typeof t !== 'string' || typeof j !== 'string' || typeof e !== 'number') return undefined;
    return { tenantId: t, jobId: j, expiresAt: e };
  } catch {
    return undefined;
  }
}
