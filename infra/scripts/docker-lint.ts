import { readFile } from 'node:fs/promises';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';

/** One finding of a linter, with the file and line it is about. */
export interface LintProblem {
  readonly file: string;
  readonly line: number;
  readonly severity: 'error' | 'warning';
  readonly rule: string;
  readonly message: string;
}

/** The Dockerfiles and the compose file the project ships (paths from the repository root). */
export const DOCKERFILES = ['docker/Dockerfile'] as const;
export const COMPOSE_FILE = 'docker-compose.yml';

// Promote the checks that are warnings by default: any of them is a real mistake here.
const DOCKERFILE_SETTINGS: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

/** Validates Dockerfile text with dockerfile-utils (syntax, flags, instruction rules). */
export function lintDockerfileText(file: string, content: string): LintProblem[] {
  return validate(content, DOCKERFILE_SETTINGS).map((diagnostic) => ({
    file,
    line: diagnostic.range.start.line + 1,
    severity: diagnostic.severity === 1 ? 'error' : 'warning',
    rule: `dockerfile-utils/${String(diagnostic.code ?? 'unknown')}`,
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
  }));
}

// dclint's declarations import their types without file extensions, which node16 resolution
// cannot follow; this is the part of its result shape used here.
interface DclintModule {
  readonly DCLinter: new (config: {
    rules: Record<string, number>;
    quiet: boolean;
    debug: boolean;
    exclude: string[];
  }) => { lintFiles(paths: string[], recursive: boolean): readonly DclintResult[] };
}

interface DclintResult {
  readonly messages: readonly {
    readonly line: number;
    readonly type: string;
    readonly rule: string;
    readonly message: string;
  }[];
}

export async function lintDockerfile(path: string, displayName = path): Promise<LintProblem[]> {
  return lintDockerfileText(displayName, await readFile(path, 'utf8'));
}

/**
 * Validates a compose file with dclint: YAML, the Compose specification schema, and dclint's
 * rules at their default levels (disabled per line in the file where a rule does not apply).
 */
export async function lintComposeFile(path: string, displayName = path): Promise<LintProblem[]> {
  const { DCLinter } = (await import('dclint')) as unknown as DclintModule;
  const linter = new DCLinter({ rules: {}, quiet: false, debug: false, exclude: [] });
  const results = linter.lintFiles([path], false);
  return results.flatMap((result) =>
    result.messages.map((message) => ({
      file: displayName,
      line: message.line,
      severity: message.type === 'error' ? 'error' : 'warning',
      rule: `dclint/${message.rule}`,
      message: message.message,
    })),
  );
}

export function formatProblem(problem: LintProblem): string {
  return `${problem.file}:${problem.line} ${problem.severity} ${problem.message} (${problem.rule})`;
}
