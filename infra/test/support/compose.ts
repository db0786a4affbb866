import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoPath } from '../../src/repo-paths.ts';

export interface ComposeService {
  readonly image?: string;
  readonly build?: {
    readonly context: string;
    readonly dockerfile: string;
    readonly target: string;
  };
  readonly environment?: Record<string, string | number | boolean>;
  readonly depends_on?: Record<string, { condition: string; required?: boolean }>;
  readonly ports?: string[];
  readonly volumes?: string[];
  readonly profiles?: string[];
  readonly healthcheck?: { test: string[] };
  readonly container_name?: string;
  readonly stop_grace_period?: string;
  readonly networks?: Record<string, { aliases?: string[] }>;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
}

export function composeText(): string {
  return readFileSync(repoPath('docker-compose.yml'), 'utf8');
}

/** docker-compose.yml with YAML anchors and merge keys resolved, as Compose reads it. */
export function loadCompose(): ComposeFile {
  return parse(composeText(), { merge: true }) as ComposeFile;
}

/**
 * A service's environment as its container sees it when the user sets nothing: `${NAME:-x}` and
 * `${NAME-x}` become x, `${NAME}` and `${NAME:?…}` become empty.
 */
export function environmentOf(service: ComposeService): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(service.environment ?? {})) {
    result[name] = String(raw).replace(
      /\$\{([A-Z0-9_]+)(?:(:?-)([^}]*)|:?\?[^}]*)?\}/g,
      (_match, _name: string, operator: string | undefined, fallback: string | undefined) =>
        operator === undefined ? '' : (fallback ?? ''),
    );
  }
  return result;
}

export function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}
