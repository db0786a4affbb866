import type { OpenApiDocument } from './build-document.ts';

type Json = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * A readable reference of the document as one static HTML page: operations grouped by tag,
 * their parameters, bodies and answers, and the schemas they refer to (linked). No script, no
 * fonts, nothing fetched: it renders offline and under a strict Content-Security-Policy.
 */
export function renderDocsPage(document: OpenApiDocument): string {
  const operations = METHODS.flatMap((method) =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      item[method] === undefined ? [] : [{ method, path, op: item[method] as Json }],
    ),
  );
  const sections = document.tags.map((tag) => {
    const ofTag = operations
      .filter(({ op }) => (op.tags as string[] | undefined)?.[0] === tag.name)
      .sort((a, b) => a.path.localeCompare(b.path));
    if (ofTag.length === 0) return '';
    return `<section><h2 id="tag-${attr(tag.name)}">${text(tag.name)}</h2>
${tag.description === undefined ? '' : `<p>${inline(tag.description)}</p>`}
${ofTag.map(({ method, path, op }) => operation(method, path, op)).join('\n')}</section>`;
  });
  const toc = operations
    .toSorted((a, b) => a.path.localeCompare(b.path))
    .map(
      ({ method, path, op }) =>
        `<li><a href="#op-${attr(String(op.operationId))}"><span class="m ${method}">${method.toUpperCase()}</span> ${text(path)}</a></li>`,
    )
    .join('');
  const deliveries = Object.entries(document.webhooks ?? {})
    .map(([name, item]) => operation('post', `webhook: ${name}`, item.post as Json))
    .join('\n');
  const schemas = Object.entries(document.components.schemas)
    .map(
      ([name, schema]) =>
        `<h3 id="schema-${attr(name)}">${text(name)}</h3>${schemaBlock(schema, true)}`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text(document.info.title)} — reference</title>
<style>${STYLE}</style></head>
<body><header><h1>${text(document.info.title)} <small>${text(document.info.version)}</small></h1>
<p>${inline(document.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${text(document.openapi)}).</p></header>
<nav aria-label="Operations"><ul>${toc}</ul></nav>
<main>${sections.join('\n')}
${deliveries === '' ? '' : `<section><h2 id="webhook-deliveries">Webhook deliveries</h2><p>What this API POSTs to a subscribed URL.</p>${deliveries}</section>`}
<section><h2 id="schemas">Schemas</h2>${schemas}</section></main></body></html>
`;
}

function operation(method: string, path: string, op: Json): string {
  const parameters = (op.parameters as Json[] | undefined) ?? [];
  const body = op.requestBody as { content: Record<string, Json> } | undefined;
  const responses = op.responses as Record<string, Json>;
  const secured = Array.isArray(op.security) && op.security.length > 0;
  return `<article id="op-${attr(String(op.operationId))}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${text(path)}</code></h3>
<p><strong>${inline(String(op.summary))}</strong>${secured ? ' <span class="auth">API key</span>' : ' <span class="auth open">public</span>'}</p>
${typeof op.description === 'string' ? `<p>${inline(op.description)}</p>` : ''}
${parameters.length === 0 ? '' : parameterTable(parameters)}
${body === undefined ? '' : `<h4>Request body</h4>${contentList(body.content)}`}
<h4>Responses</h4>
<table><thead><tr><th>Status</th><th>Meaning</th><th>Body</th></tr></thead><tbody>
${Object.entries(responses)
  .map(
    ([status, response]) =>
      `<tr><td><code>${text(status)}</code></td><td>${inline(String(response.description))}</td><td>${contentList((response.content as Record<string, Json> | undefined) ?? {})}</td></tr>`,
  )
  .join('\n')}
</tbody></table></article>`;
}

function parameterTable(parameters: readonly Json[]): string {
  const rows = parameters.map((p) => {
    const schema = (p.schema as Json | undefined) ?? {};
    return `<tr><td><code>${text(String(p.name))}</code></td><td>${text(String(p.in))}</td><td>${p.required === true ? 'yes' : 'no'}</td><td>${schemaSummary(schema)}</td><td>${inline(stringOr(p.description, stringOr(schema.description, '')))}</td></tr>`;
  });
  return `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Required</th><th>Type</th><th>Notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function contentList(content: Record<string, Json>): string {
  const entries = Object.entries(content);
  if (entries.length === 0) return '—';
  return entries
    .map(
      ([type, media]) =>
        `<div><code>${text(type)}</code>${media.schema === undefined ? '' : schemaBlock(media.schema as Json, false)}</div>`,
    )
    .join('');
}

function schemaSummary(schema: Json): string {
  if (Array.isArray(schema.enum))
    return schema.enum.map((v) => `<code>${text(String(v))}</code>`).join(' | ');
  const type = [schema.type].flat().filter(Boolean).join(' | ');
  const bounds = [
    typeof schema.minimum === 'number' ? `≥ ${schema.minimum}` : '',
    typeof schema.maximum === 'number' ? `≤ ${schema.maximum}` : '',
    schema.default === undefined ? '' : `default ${JSON.stringify(schema.default)}`,
    typeof schema.format === 'string' ? schema.format : '',
  ].filter(Boolean);
  return text([type || 'any', ...bounds].join(', '));
}

/** The schema as indented JSON, `$ref`s turned into links to the schema's section. */
function schemaBlock(schema: Json, open: boolean): string {
  const ref = typeof schema.$ref === 'string' ? refName(schema.$ref) : undefined;
  if (ref !== undefined && Object.keys(schema).length === 1)
    return ` → <a href="#schema-${attr(ref)}">${text(ref)}</a>`;
  const json = text(JSON.stringify(schema, null, 2)).replace(
    /&quot;#\/components\/schemas\/([\w.-]+)&quot;/g,
    (_m, name: string) => `<a href="#schema-${attr(name)}">${name}</a>`,
  );
  return `<details${open ? ' open' : ''}><summary>schema</summary><pre>${json}</pre></details>`;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function refName(ref: string): string | undefined {
  return /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
}

function text(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function attr(value: string): string {
  return value.replace(/[^\w-]/g, '_');
}

/** Escaped text with `code spans` (the only markdown the descriptions use). */
function inline(value: string): string {
  return text(value).replace(/`([^`]+)`/g, '<code>$1</code>');
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f23;display:grid;grid-template-columns:minmax(14rem,20rem) 1fr}
header{grid-column:1/-1;padding:1rem 2rem;background:#f6f8fa;border-bottom:1px solid #d0d7de}
h1 small{font-weight:normal;color:#57606a;font-size:.6em}
nav{padding:1rem;border-right:1px solid #d0d7de;position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto}
nav ul{list-style:none;padding:0;margin:0}nav li{margin:.2rem 0}nav a{text-decoration:none;color:inherit}
main{padding:1rem 2rem;min-width:0}article{border:1px solid #d0d7de;border-radius:6px;padding:0 1rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:3.5rem;text-align:center;border-radius:4px;color:#fff;font-size:.8em;font-weight:600;padding:0 .3rem}
.get{background:#0969da}.post{background:#1a7f37}.delete{background:#cf222e}.put,.patch{background:#9a6700}
.auth{font-size:.8em;border:1px solid #d0d7de;border-radius:4px;padding:0 .3rem}.open{color:#57606a}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:.85em}code{font-size:.9em}
a{color:#0969da}a:focus{outline:2px solid #0969da}
`;
