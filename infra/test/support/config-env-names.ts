import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { repoPath } from '../../src/repo-paths.ts';

/**
 * The environment variables the application's config schema declares: the keys of the
 * `envSchema = z.object({...})` literal in shared/src/config.ts, read with the TypeScript parser
 * (shared does not export the schema itself).
 */
export function configEnvNames(): Set<string> {
  const path = repoPath('shared/src/config.ts');
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === 'envSchema' &&
      node.initializer !== undefined &&
      ts.isCallExpression(node.initializer)
    ) {
      const [shape] = node.initializer.arguments;
      if (shape !== undefined && ts.isObjectLiteralExpression(shape)) {
        for (const property of shape.properties) {
          if (property.name !== undefined && ts.isIdentifier(property.name)) {
            names.add(property.name.text);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (names.size === 0) throw new Error('envSchema not found in shared/src/config.ts');
  return names;
}

/** Read by the AWS SDK's default credential chain, not by the config schema. */
export const SDK_ENV_NAMES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
