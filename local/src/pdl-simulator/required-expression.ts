import type { PdlPerson } from './pdl-person.ts';

export type RequiredResult =
  | { readonly kind: 'ok'; readonly satisfied: boolean }
  | { readonly kind: 'invalid'; readonly message: string };

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { readonly field: string };

/**
 * PDL's `required` parameter: field names joined by AND, OR, NOT and parentheses
 * ("emails AND (phone_numbers OR job_title)"). A field is present when it is neither null nor
 * empty; dotted names ("emails.address") look inside arrays of objects.
 */
export function evaluateRequired(expression: string, person: PdlPerson): RequiredResult {
  const tokens = tokenize(expression);
  if (tokens.length === 0) return { kind: 'invalid', message: 'required must not be empty' };
  let at = 0;
  const fail = (why: string): never => {
    throw new RequiredSyntaxError(`invalid required expression "${expression}": ${why}`);
  };
  function orExpr(): boolean {
    let value = andExpr();
    while (tokens[at] === 'OR') {
      at++;
      const right = andExpr();
      value = value || right;
    }
    return value;
  }
  function andExpr(): boolean {
    let value = unary();
    while (tokens[at] === 'AND') {
      at++;
      const right = unary();
      value = value && right;
    }
    return value;
  }
  function unary(): boolean {
    const token = tokens[at++];
    if (token === 'NOT') return !unary();
    if (token === '(') {
      const value = orExpr();
      if (tokens[at++] !== ')') fail('missing )');
      return value;
    }
    if (token !== undefined && typeof token === 'object') return present(person, token.field);
    return fail(token === undefined ? 'ends early' : `unexpected ${token}`);
  }
  try {
    const satisfied = orExpr();
    if (at !== tokens.length) fail('trailing input');
    return { kind: 'ok', satisfied };
  } catch (error) {
    if (error instanceof RequiredSyntaxError) return { kind: 'invalid', message: error.message };
    throw error;
  }
}

class RequiredSyntaxError extends Error {
  override readonly name = 'RequiredSyntaxError';
}

function tokenize(expression: string): Token[] {
  const parts = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  return parts.map((part): Token => {
    if (part === '(' || part === ')') return part;
    const upper = part.toUpperCase();
    if (upper === 'AND' || upper === 'OR' || upper === 'NOT') return upper;
    return { field: part };
  });
}

function present(person: PdlPerson, path: string): boolean {
  let values: unknown[] = [person];
  for (const key of path.split('.')) {
    values = values.flatMap((value) => {
      const inner: unknown = isRecord(value) ? value[key] : undefined;
      return Array.isArray(inner) ? (inner as unknown[]) : [inner];
    });
  }
  return values.some((value) => value !== null && value !== undefined && value !== '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
