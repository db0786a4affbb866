import type { buildApp } from 'fauxqs';

type FauxqsApp = ReturnType<typeof buildApp>;

/** One rule of a bucket's CORS configuration (PutBucketCors), as S3 stores it. */
export interface BucketCorsRule {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

/**
 * fauxqs 2.4.1 has no bucket CORS (PutBucketCors lands in CreateBucket and fails), so a browser
 * could not use a presigned URL against it. This adds what S3 does, on the emulator's own
 * server: PutBucketCors / GetBucketCors / DeleteBucketCors store a bucket's rules (in memory:
 * provisioning applies them at every start), preflights are answered from them, and responses
 * to a request with an allowed Origin carry the CORS headers.
 */
export function emulateBucketCors(app: FauxqsApp): void {
  const rules = new Map<string, BucketCorsRule[]>();

  app.addHook('onRequest', async (request, reply) => {
    const { bucket, query } = splitUrl(request.url);
    if (bucket === undefined) return;
    if (query.has('cors') && ['PUT', 'GET', 'DELETE'].includes(request.method)) {
      if (request.method === 'DELETE') rules.delete(bucket);
      if (request.method === 'GET') {
        const xml = corsXml(rules.get(bucket) ?? []);
        await reply.status(200).header('content-type', 'application/xml').send(xml);
        return reply;
      }
      if (request.method === 'DELETE') {
        await reply.status(204).send();
        return reply;
      }
      return undefined; // PUT: the body is read in preParsing below.
    }
    const origin = request.headers.origin;
    if (request.method !== 'OPTIONS' || origin === undefined) return undefined;
    const method = request.headers['access-control-request-method'] ?? '';
    const asked = (request.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const rule = (rules.get(bucket) ?? []).find(
      (r) =>
        matchesOrigin(r, origin) &&
        r.allowedMethods.includes(method) &&
        asked.every((h) => allowsHeader(r, h)),
    );
    if (rule === undefined) {
      await reply.status(403).header('content-type', 'application/xml').send(corsForbidden());
      return reply;
    }
    await reply
      .status(200)
      .headers({
        'access-control-allow-origin': allowedOrigin(rule, origin),
        'access-control-allow-methods': rule.allowedMethods.join(', '),
        ...(asked.length === 0 ? {} : { 'access-control-allow-headers': asked.join(', ') }),
        ...(rule.maxAgeSeconds === undefined
          ? {}
          : { 'access-control-max-age': String(rule.maxAgeSeconds) }),
        vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
      })
      .send();
    return reply;
  });

  app.addHook('preHandler', async (request, reply) => {
    const { bucket, query } = splitUrl(request.url);
    if (bucket === undefined || request.method !== 'PUT' || !query.has('cors')) return undefined;
    rules.set(bucket, parseCorsXml(bodyText(request.body)));
    await reply.status(200).send();
    return reply;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const origin = request.headers.origin;
    const { bucket } = splitUrl(request.url);
    if (origin === undefined || bucket === undefined || request.method === 'OPTIONS')
      return payload;
    const rule = (rules.get(bucket) ?? []).find(
      (r) => matchesOrigin(r, origin) && r.allowedMethods.includes(request.method),
    );
    if (rule !== undefined) {
      void reply.header('access-control-allow-origin', allowedOrigin(rule, origin));
      if (rule.exposeHeaders.length > 0)
        void reply.header('access-control-expose-headers', rule.exposeHeaders.join(', '));
      void reply.header('vary', 'Origin');
    }
    return payload;
  });
}

function splitUrl(url: string): { bucket: string | undefined; query: URLSearchParams } {
  const [path = '', search = ''] = url.split('?', 2);
  const bucket = path.split('/')[1];
  return {
    bucket: bucket === undefined || bucket === '' ? undefined : decodeURIComponent(bucket),
    query: new URLSearchParams(search),
  };
}

function matchesOrigin(rule: BucketCorsRule, origin: string): boolean {
  return rule.allowedOrigins.some((allowed) => {
    if (!allowed.includes('*')) return allowed === origin;
    const [before = '', after = ''] = allowed.split('*', 2);
    return origin.startsWith(before) && origin.endsWith(after);
  });
}

function allowsHeader(rule: BucketCorsRule, header: string): boolean {
  return rule.allowedHeaders.some((allowed) => allowed === '*' || allowed.toLowerCase() === header);
}

/** S3 answers `*` for a wildcard rule, the request's origin otherwise. */
function allowedOrigin(rule: BucketCorsRule, origin: string): string {
  return rule.allowedOrigins.includes('*') ? '*' : origin;
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return '';
}

/** The CORSConfiguration document of PutBucketCors (flat enough for a pattern per element). */
export function parseCorsXml(xml: string): BucketCorsRule[] {
  const values = (block: string, tag: string): string[] =>
    [...block.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) =>
      unescapeXml(m[1] ?? ''),
    );
  return [...xml.matchAll(/<CORSRule>([\s\S]*?)<\/CORSRule>/g)].map((m) => {
    const block = m[1] ?? '';
    const maxAge = values(block, 'MaxAgeSeconds')[0];
    return {
      allowedOrigins: values(block, 'AllowedOrigin'),
      allowedMethods: values(block, 'AllowedMethod'),
      allowedHeaders: values(block, 'AllowedHeader'),
      exposeHeaders: values(block, 'ExposeHeader'),
      ...(maxAge === undefined ? {} : { maxAgeSeconds: Number(maxAge) }),
    };
  });
}

function corsXml(rules: readonly BucketCorsRule[]): string {
  const tags = (tag: string, list: readonly string[]): string =>
    list.map((v) => `<${tag}>${escapeXml(v)}</${tag}>`).join('');
  const body = rules
    .map(
      (r) =>
        `<CORSRule>${tags('AllowedOrigin', r.allowedOrigins)}${tags('AllowedMethod', r.allowedMethods)}` +
        `${tags('AllowedHeader', r.allowedHeaders)}${tags('ExposeHeader', r.exposeHeaders)}` +
        `${r.maxAgeSeconds === undefined ? '' : `<MaxAgeSeconds>${r.maxAgeSeconds}</MaxAgeSeconds>`}</CORSRule>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><CORSConfiguration>${body}</CORSConfiguration>`;
}

function corsForbidden(): string {
  return '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessForbidden</Code><Message>CORSResponse: This CORS request is not allowed.</Message></Error>';
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
